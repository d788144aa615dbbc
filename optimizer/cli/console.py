"""What every command shares on the terminal: the error boundary, JSON and tables,
progress, the executor of a batch, and where a command's workbook goes by default.

Messages and progress go to stderr; `--json` output alone goes to stdout (SPEC 6).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from optimizer.errors import CoprocureError, InputError, Issue, Terminated

err = Console(stderr=True, highlight=False, markup=False)  # workbook text, verbatim
if not err.is_terminal:  # logs and pipes: wide enough that tables do not fold every word
    err.width = 160  # (wide_console does the same for stdout)


def run_action(action: Callable[[], int], as_json: bool = False) -> None:
    """The error boundary: domain errors become a message and an exit code, never a trace."""
    try:
        code = action()
    except InputError as exc:
        if as_json:
            print_json({"valid": False, "issues": [i.as_dict() for i in exc.issues]})
        else:
            issue_table(exc.issues)
        raise typer.Exit(1) from None
    except CoprocureError as exc:
        if as_json:
            print_json({"error": str(exc)})
        err.print(f"error: {exc}", soft_wrap=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        err.print("interrupted")
        raise typer.Exit(130) from None
    except Terminated:
        err.print("terminated")
        raise typer.Exit(143) from None
    raise typer.Exit(code)


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, default=str) + "\n")


def issue_table(issues: list[Issue], title: str | None = None) -> None:
    if len(issues) == 1 and issues[0].sheet is None:
        err.print(issues[0].one_line(), soft_wrap=True)  # a file-level problem: one line
        return
    table = Table(title=title, show_lines=False, expand=False)
    for name in ("", "code", "sheet", "row", "col", "value found", "expected", "problem"):
        table.add_column(name, overflow="fold")
    for i in issues:
        table.add_row("E" if i.is_error else "W", i.code, i.sheet or "", str(i.row or ""),
                      i.column or "", i.value_text,
                      i.expected or "", i.message)
    err.print(table)


def wide_console(stderr: bool = False) -> Console:
    """A console that does not fold tables into 80 columns when output is not a terminal."""
    console = Console(stderr=stderr, highlight=False, markup=False)
    if not console.is_terminal:
        console.width = 160
    return console


def default_output(scenario: Path, strategy: str, kind: str) -> Path:
    suffix = "" if strategy == "base" else f"-{strategy}"
    return Path.cwd() / f"{scenario.stem}{suffix}-{kind}.xlsx"


def output_path(output: Path | None, default: Path, *reads: Path | None) -> Path:
    """Where a command's workbook goes (``output``, else ``default``), checked before any
    work: never one of the workbooks it ``reads``, and a place that can be written."""
    from optimizer.xlsx import check_output

    target = default if output is None else output
    check_output(target, [r for r in reads if r is not None])
    return target


@contextmanager
def progress_bar(show: bool, what: str) -> Iterator[Any]:
    """A transient bar on stderr that counts the solves of every batch."""
    from rich.progress import Progress

    from optimizer.runs.executor import Tracker

    with Progress(console=err, transient=True, disable=not show) as bar:
        task = bar.add_task(what, total=None)

        def update(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total,
                       description=f"{what} {label}" if label else what)

        yield Tracker(update)


@contextmanager
def executor_for(workers: int | None, scheduler: str | None, show: bool) -> Iterator[Any]:
    """The executor of one command; what it noticed is said on stderr when it closes."""
    from optimizer.runs.choose import open_executor

    with open_executor(workers, scheduler) as executor:
        yield executor
        if show:
            for note in executor.notes:
                err.print(f"note: {note}", soft_wrap=True)
            if executor.retries:
                err.print(f"note: {executor.retries} time(s) a worker process died; its "
                          "solves were run again", soft_wrap=True)
