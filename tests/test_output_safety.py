"""Nothing lost, whatever the output path (SPEC 6, 7): an output that is an input, a place
that cannot be written, a disk that fills up, SIGTERM, a number the solver would take for
infinity. Every case runs the real command in a fresh interpreter, on real file systems
(a small tmpfs is mounted where the disk must fill up or be read-only)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from optimizer.errors import InputError
from optimizer.workbook.fields import LARGEST, Kind
from optimizer.workbook.schema import SETTINGS, SHEET_BY_NAME, SHEETS
from optimizer.xlsx import OutputError, atomic_workbook
from tests.conftest import SHIPPED, digest, letter, load, set_cell

COMMANDS = {  # every command that writes a workbook, with what it needs besides -o
    "solve": [],
    "compare": ["-s", "crma-65"],
    "stress": ["-s", "base"],
    "sweep": ["--vary", "Settings::discount_rate=0:0.1:2"],
}


def cli(*args: str | Path, cwd: Path, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess:
    """``coprocure ARGS`` run from ``cwd``, so that relative paths are the planner's own."""
    proc = subprocess.run([sys.executable, "-m", "optimizer.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc


def _as_in_a_terminal() -> None:
    """Ctrl-C as a planner's terminal delivers it: a shell runs a background job (``cmd
    &``, as a CI script or a detached test run may) with SIGINT ignored, the child would
    inherit that and Python then never raises KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Started:
    """``coprocure ARGS`` running from ``cwd``. Its stderr goes to a file beside ``cwd``,
    not a pipe: a worker process that outlived it would hold a pipe open for ever."""

    def __init__(self, *args: str | Path, cwd: Path):
        self.log = cwd.parent / f"{cwd.name}.stderr"
        with open(self.log, "w") as stderr:
            self.proc = subprocess.Popen([sys.executable, "-m", "optimizer.cli",
                                          *map(str, args)], cwd=cwd,
                                         stdout=subprocess.DEVNULL, stderr=stderr,
                                         preexec_fn=_as_in_a_terminal)

    @property
    def stderr(self) -> str:
        return self.log.read_text()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A planner's folder holding one scenario, s.xlsx (the shipped one)."""
    shutil.copyfile(SHIPPED, tmp_path / "s.xlsx")
    return tmp_path


def files(where: Path) -> list[str]:
    return sorted(p.name for p in where.iterdir())


# 1. The output is the input, in any spelling ------------------------------------------

def spell(folder: Path, spelling: str) -> str:
    """The input s.xlsx as a planner may type it for --output (links made here)."""
    if spelling == ".. detour":
        (folder / "sub").mkdir()
        return "sub/../s.xlsx"
    if spelling == "symbolic link":
        (folder / "link.xlsx").symlink_to("s.xlsx")
        return "link.xlsx"
    if spelling == "hard link":
        os.link(folder / "s.xlsx", folder / "hard.xlsx")
        return "hard.xlsx"
    return {"as given": "s.xlsx", "./": "./s.xlsx", "absolute": str(folder / "s.xlsx")}[
        spelling]


@pytest.mark.parametrize("spelling", ["as given", "./", "absolute", ".. detour",
                                      "symbolic link", "hard link"])
def test_solve_refuses_to_write_over_its_input(folder: Path, spelling: str) -> None:
    typed = spell(folder, spelling)
    before, listing = digest(folder / "s.xlsx"), files(folder)
    proc = cli("solve", "s.xlsx", "-o", typed, cwd=folder)
    assert proc.returncode == 1
    assert "is the workbook this command reads" in proc.stderr
    assert str(Path(typed)) in proc.stderr  # the path as the planner typed it
    assert "planning" not in proc.stderr  # refused before the solve
    assert digest(folder / "s.xlsx") == before and files(folder) == listing


@pytest.mark.parametrize("command", ["compare", "stress", "sweep"])
def test_every_command_that_writes_refuses_its_input(folder: Path, command: str) -> None:
    before = digest(folder / "s.xlsx")
    proc = cli(command, "s.xlsx", *COMMANDS[command], "-q", "-o", "./s.xlsx", cwd=folder)
    assert proc.returncode == 1, proc.stderr
    assert "s.xlsx is the workbook this command reads" in proc.stderr
    assert digest(folder / "s.xlsx") == before and files(folder) == ["s.xlsx"]


def test_stress_refuses_to_write_over_its_disruptions_workbook(folder: Path) -> None:
    shutil.copyfile(SHIPPED, folder / "d.xlsx")
    before = digest(folder / "d.xlsx")
    proc = cli("stress", "s.xlsx", "--disruptions", "d.xlsx", "-q", "-o", "d.xlsx", cwd=folder)
    assert proc.returncode == 1
    assert "d.xlsx is the workbook this command reads" in proc.stderr
    assert digest(folder / "d.xlsx") == before and files(folder) == ["d.xlsx", "s.xlsx"]


def test_template_still_refuses_an_existing_workbook(folder: Path) -> None:
    before = digest(folder / "s.xlsx")
    proc = cli("template", "s.xlsx", cwd=folder)
    assert proc.returncode == 1 and "s.xlsx exists" in proc.stderr
    assert digest(folder / "s.xlsx") == before


# 2. An output that cannot be written ----------------------------------------------------


@pytest.fixture
def mount_tmpfs(tmp_path: Path) -> Iterator[object]:
    """Mount a small tmpfs (options given) under tmp_path; unmounted afterwards. Tests run
    as root in CI, where mounting is allowed; elsewhere they are skipped, saying why."""
    mounted: list[Path] = []

    def mount(options: str) -> Path:
        where = tmp_path / f"mnt{len(mounted)}"
        where.mkdir()
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            pytest.skip(f"mounting a tmpfs is not permitted here: {proc.stderr.strip()}")
        mounted.append(where)
        return where

    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    yield mount
    for where in mounted:
        subprocess.run(["umount", str(where)], check=True)


@pytest.mark.parametrize("case", ["parent is a file", "missing folder", "proc"])
def test_an_output_that_cannot_be_written_is_refused_before_solving(folder: Path,
                                                                    case: str) -> None:
    typed, reason = {
        "parent is a file": ("s.xlsx/out.xlsx", "s.xlsx is a file, not a folder"),
        "missing folder": ("no/such/out.xlsx", "folder no/such does not exist"),
        # procfs exists wherever tests run and refuses new files even to root
        "proc": ("/proc/out.xlsx", "/proc does not take new files"),
    }[case]
    proc = cli("solve", "s.xlsx", "-o", typed, cwd=folder)
    assert proc.returncode == 1
    assert f"cannot write {typed}: {reason}" in proc.stderr
    assert "planning" not in proc.stderr and ".out." not in proc.stderr
    assert files(folder) == ["s.xlsx"]


def test_a_read_only_folder_is_refused_before_solving(folder: Path, mount_tmpfs) -> None:
    """Root may write any folder whatever its mode bits; a read-only mount refuses root too."""
    ro = mount_tmpfs("ro,size=64k")
    proc = cli("solve", "s.xlsx", "-o", ro / "r.xlsx", cwd=folder)
    assert proc.returncode == 1
    assert f"cannot write {ro / 'r.xlsx'}: {ro} is on a read-only file system" in proc.stderr
    assert "planning" not in proc.stderr and files(ro) == []


def test_atomic_workbook_names_the_path_asked_for(folder: Path) -> None:
    """At write time as well (what changed since the check): the output the planner asked
    for, never the hidden temporary file; nothing created."""
    for typed, reason in ((folder / "s.xlsx" / "out.xlsx", "is a file, not a folder"),
                          (folder / "nowhere" / "out.xlsx", "does not exist"),
                          (Path("/proc/out.xlsx"), "does not take new files")):
        with pytest.raises(OutputError, match=re.escape(str(typed)) + ".*" + reason), \
                atomic_workbook(typed) as wb:
            wb.add_worksheet("x")
    assert files(folder) == ["s.xlsx"]


# 4. A disk that fills up ----------------------------------------------------------------


def test_a_disk_that_fills_while_writing_leaves_nothing(folder: Path, mount_tmpfs) -> None:
    disk = mount_tmpfs("size=64k")
    (disk / "filler").write_bytes(b"x" * 48 * 1024)  # 16 KB left: the check passes
    out = disk / "results.xlsx"  # about 50 KB
    temp = folder / "temp"  # the system temp folder of this run
    temp.mkdir()
    proc = cli("solve", "s.xlsx", "-o", out, cwd=folder, env={"TMPDIR": str(temp)})
    assert proc.returncode == 1, proc.stderr
    assert "planning" in proc.stderr  # it got as far as writing
    assert f"no space left to write {out}" in proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert files(disk) == ["filler"]
    assert files(temp) == []  # XlsxWriter's part files once stayed there


def test_a_full_disk_is_refused_before_solving(folder: Path, mount_tmpfs) -> None:
    disk = mount_tmpfs("size=64k")
    with open(disk / "filler", "wb", buffering=0) as f, pytest.raises(OSError):
        while True:
            f.write(b"x" * 4096)
    proc = cli("solve", "s.xlsx", "-o", disk / "r.xlsx", cwd=folder)
    assert proc.returncode == 1
    assert f"no space left to write {disk / 'r.xlsx'}" in proc.stderr
    assert "planning" not in proc.stderr and files(disk) == ["filler"]


# 5. SIGTERM (and Ctrl-C) ----------------------------------------------------------------


def _until_exit(proc: subprocess.Popen, sig: int, repeat: bool) -> None:
    """Send ``sig`` now and, with ``repeat``, again every few milliseconds until the
    process ends, as an impatient supervisor does."""
    while proc.poll() is None:
        proc.send_signal(sig)
        if not repeat:
            break
        time.sleep(0.005)


def _signal_while_writing(folder: Path, sig: int, repeat: bool) -> Started:
    """Start a solve and signal it once its workbook is being written: the hidden
    temporary file beside the output exists from the first byte to the rename."""
    run = Started("solve", "s.xlsx", "-q", "-o", "r.xlsx", cwd=folder)
    while run.proc.poll() is None:
        if any(n.startswith(".r.") and "probe" not in n for n in os.listdir(folder)):
            _until_exit(run.proc, sig, repeat)
            break
        time.sleep(0.001)
    run.proc.wait(120)
    return run


def test_sigterm_while_writing_leaves_nothing_and_exits_143(folder: Path) -> None:
    run = _signal_while_writing(folder, signal.SIGTERM, repeat=True)
    assert run.proc.returncode == 143, run.stderr
    assert "terminated" in run.stderr and "Traceback" not in run.stderr
    assert files(folder) == ["s.xlsx"]


def test_ctrl_c_while_writing_leaves_nothing_and_exits_130(folder: Path) -> None:
    run = _signal_while_writing(folder, signal.SIGINT, repeat=False)
    assert run.proc.returncode == 130, run.stderr
    assert "interrupted" in run.stderr and "Traceback" not in run.stderr
    assert files(folder) == ["s.xlsx"]


def test_sigterm_while_solving_exits_143(folder: Path) -> None:
    run = Started("solve", "s.xlsx", "-o", "r.xlsx", cwd=folder)
    while run.proc.poll() is None and "planning" not in run.stderr:
        time.sleep(0.01)  # said just before the solve starts
    _until_exit(run.proc, signal.SIGTERM, repeat=False)
    assert run.proc.wait(120) == 143, run.stderr
    assert "terminated" in run.stderr and "Traceback" not in run.stderr
    assert files(folder) == ["s.xlsx"]


def _children(pid: int) -> set[int]:
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.add(int(stat.parent.name))
    return out


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_sigterm_during_a_batch_stops_the_worker_processes(folder: Path) -> None:
    run = Started("compare", "s.xlsx", "-q", "--workers", "2", "-o", "c.xlsx", cwd=folder)
    # the pool (one worker and multiprocessing's resource tracker) starts with the first
    # batch of solves
    while run.proc.poll() is None and len(workers := _children(run.proc.pid)) < 2:
        time.sleep(0.01)
    _until_exit(run.proc, signal.SIGTERM, repeat=False)
    try:
        assert run.proc.wait(120) == 143, run.stderr
        assert "Traceback" not in run.stderr and files(folder) == ["s.xlsx"]
        deadline = time.monotonic() + 60  # a bound on waiting, not a speed requirement
        while any(_running(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [p for p in workers if _running(p)], "worker processes left running"
    finally:
        for pid in workers:  # those this test started, should they outlive it
            if _running(pid):
                os.kill(pid, signal.SIGKILL)


# 3. Numbers the solver would take for infinity -----------------------------------------


def _numeric_cells() -> list[tuple[str, str]]:
    return [(s.name, c.name) for s in SHEETS for c in s.columns
            if c.kind in (Kind.NUMBER, Kind.INTEGER)]


@pytest.mark.parametrize(("sheet", "column"), _numeric_cells())
def test_every_numeric_column_refuses_a_number_beyond_any_real_one(book: Path, sheet: str,
                                                                   column: str) -> None:
    set_cell(book, sheet, 2, column, 1e300)
    issues = _issues(book)
    found = [i for i in issues if i.code == "value-out-of-range" and i.sheet == sheet
             and i.row == 2 and i.column == letter(sheet, column)]
    assert found, [i.one_line() for i in issues]
    assert found[0].value == 1e300
    if SHEET_BY_NAME[sheet].column(column).maximum is None:  # else its own range says it
        assert found[0].expected and found[0].expected.endswith(" 1e13")
        assert "the solver would take it for infinity" in found[0].message


def test_every_numeric_setting_refuses_a_number_beyond_any_real_one(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    ws = wb["Settings"]
    numeric = [s.name for s in SETTINGS if s.column.kind in (Kind.NUMBER, Kind.INTEGER)]
    for name in numeric:
        ws.append([name, "1e20"])  # typed as text, as a planner may
    wb.save(book)
    flagged = {i.row for i in _issues(book) if i.code == "value-out-of-range"}
    assert len(flagged) == len(numeric)


def test_the_largest_number_allowed_still_plans(tmp_path: Path) -> None:
    """The limit is not stricter than the solver: a demand of 1e13 plans (all short)."""
    wb = openpyxl.load_workbook(SHIPPED)
    wb["Demand"]["C2"] = LARGEST
    wb.save(tmp_path / "huge.xlsx")
    proc = cli("solve", "huge.xlsx", "-q", "-o", "r.xlsx", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    wb["Demand"]["C2"] = LARGEST * 10
    wb.save(tmp_path / "huger.xlsx")
    proc = cli("solve", "huger.xlsx", "-o", "r2.xlsx", cwd=tmp_path)
    assert proc.returncode == 1 and "Demand" in proc.stderr and "1e13" in proc.stderr
    assert not (tmp_path / "r2.xlsx").exists()


def _issues(path: Path) -> list:
    try:
        return load(path).issues
    except InputError as exc:
        return exc.issues
