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


def __getattr__(name: str) -> str:
    # Looked up when first asked for: importing importlib.metadata costs every command tens
    # of milliseconds at start-up, and only the reports write the version.
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("coprocure")
    except PackageNotFoundError:  # running from a source tree that was not installed
        found = "0.0.0+source"
    globals()["__version__"] = found
    return found
