"""C-level stdout silenced while HiGHS prints its banner (the first Highs object a process
makes prints it before any option can switch output off).

optimizer.solving.highs has the same for the project; the benchmarks keep their own here
because their raw children must not import the project (it imports Pyomo), and one copy
serves them all.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def stdout_silenced() -> Iterator[None]:
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
