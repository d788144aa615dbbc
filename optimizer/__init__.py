"""coprocure: the application around the formulation in ``models``.

Packages, lowest layer first (a package imports only from layers below it):

- ``errors`` and ``xlsx``: the errors every layer may raise; writing a workbook completely
  or not at all.
- ``workbook``: from a file to typed scenario data (the format, reading, validation,
  strategies, the template).
- ``solving``: one scenario to one checked plan; the one boundary to HiGHS.
- ``runs``: where batches of solves run (this process, local processes, Dask).
- ``planning``: what planners compare (coordination, Shapley, stress, robust, compare,
  sweep).
- ``reports``: the workbooks written.
- ``cli``: the ``coprocure`` command line.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("coprocure")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"
