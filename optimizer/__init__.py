"""coprocure: the application around the formulation (workbooks, strategies, solving, CLI)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("coprocure")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"
