"""The nbval run of the notebooks: every notebook's memory (Binder's 2 GB), its time and its order.

A pytest plugin (``-p tools.nbval_plugin``, which the Makefile's nbval command loads) for the chapters and
the workbooks' solutions alike.

**Memory.** While nbval runs a notebook, a background thread samples the memory of the processes
under pytest, which are the running notebook's kernel and whatever it starts. For each process it
takes the peak resident memory the kernel reports (Linux's ``VmHWM``, so a spike between two
samples still counts; the current RSS elsewhere) and adds them up: an upper bound of the notebook's
peak. The cell at which a notebook's peak first goes over the limit fails.

**In parallel.** ``tools/nbval_variants.py`` runs the notebooks two at a time with pytest-xdist
(``-n 2 --dist loadfile``: every cell of a notebook goes to the same worker, one kernel each). Each
worker samples only its own kernel's processes, so each notebook's peak is its own. Each cell's
report carries the notebook's peak so far (``user_properties``), so the process that prints the
results, xdist's controller or a plain pytest, learns the peaks from the reports it receives.

**Order.** The notebooks start slowest first, by the times of the previous run that this checkout
has recorded (``_build/nbval/notebooks.json``), so that the longest one does not start last;
without a record they keep their alphabetical order. The order changes only when each starts, never
a result.

**Report.** After the tests, one line per notebook: its time (kernel start, every cell and
shutdown) and peak memory. The lines go to the terminal and to ``_build/notebook-memory.txt``, and
the same figures, as JSON, to ``_build/nbval/notebooks.json`` (or the file
``NBVAL_NOTEBOOK_REPORT`` names).
"""

from __future__ import annotations

import json
import os
import threading
from collections import defaultdict
from pathlib import Path

import psutil
import pytest
from nbval.plugin import IPyNbCell

BINDER_LIMIT = 2 * 1024**3  # bytes
SAMPLE_EVERY = 0.05  # seconds
BUILD = Path(__file__).resolve().parents[1] / "_build"  # the repository's
TEXT_REPORT = BUILD / "notebook-memory.txt"
JSON_REPORT = Path(os.environ.get("NBVAL_NOTEBOOK_REPORT", BUILD / "nbval" / "notebooks.json"))
PEAK = "notebook_peak_bytes"  # the name of the user property that carries a notebook's peak so far


def peak_rss(process: psutil.Process) -> int:
    """The process's peak resident memory in bytes where the system keeps it (Linux), else its
    current resident memory."""
    try:
        status = Path(f"/proc/{process.pid}/status").read_text()
    except OSError:
        return process.memory_info().rss
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0  # a process that has exited but not yet been reaped holds no memory


class KernelMemory:
    """The peak memory of each notebook's kernel and its children, sampled in the background."""

    def __init__(self):
        self.notebook = None  # the notebook whose kernel is running, set before its first cell
        self.peaks: dict[str, int] = {}
        self.over_limit: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kernel-memory", daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join()

    def sample(self) -> None:
        """Add up the peaks of every process under this pytest process and keep the largest sum for
        the notebook."""
        notebook = self.notebook
        if notebook is None:
            return
        total = 0
        for process in psutil.Process().children(recursive=True):
            try:
                total += peak_rss(process)
            except (psutil.NoSuchProcess, psutil.AccessDenied, ProcessLookupError):
                pass  # ended between listing and reading
        with self._lock:
            self.peaks[notebook] = max(self.peaks.get(notebook, 0), total)

    def _run(self):
        while not self._stop.wait(SAMPLE_EVERY):
            self.sample()


class Results:
    """What the reports of every cell say about its notebook: time spent and the largest peak."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self.peaks: dict[str, int] = defaultdict(int)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """A hook: every phase of every cell, where the results are printed (xdist's controller, or
        pytest alone)."""
        notebook = notebook_of(report.nodeid)
        if notebook is None:
            return
        self.seconds[notebook] += report.duration
        for name, value in report.user_properties:
            if name == PEAK:
                self.peaks[notebook] = max(self.peaks[notebook], value)


_MONITOR = pytest.StashKey[KernelMemory]()
_RESULTS = pytest.StashKey[Results]()


def notebook_of(nodeid: str) -> str | None:
    """``chapters/01_vanilla_rnn.ipynb`` for the node id of one of its cells, None for anything else."""
    path = nodeid.split("::", 1)[0]
    return path if path.endswith(".ipynb") else None


def previous_seconds() -> dict[str, float]:
    """Each notebook's time in the last run recorded here, {} when there is none."""
    try:
        return {name: entry["seconds"] for name, entry in json.loads(JSON_REPORT.read_text()).items()}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def pytest_configure(config):
    config.stash[_MONITOR] = KernelMemory()
    config.stash[_MONITOR].start()
    config.stash[_RESULTS] = Results()
    config.pluginmanager.register(config.stash[_RESULTS], "notebook-results")


def pytest_unconfigure(config):
    config.stash[_MONITOR].stop()


def pytest_collection_modifyitems(session, config, items):
    """Slowest notebook first (by the last recorded run), each notebook's cells in their order."""
    seconds = previous_seconds()
    if not seconds:
        return
    position = {}
    for item in items:
        position.setdefault(notebook_of(item.nodeid), len(position))
    items.sort(
        key=lambda item: (
            -seconds.get(notebook_of(item.nodeid), 0.0),
            position[notebook_of(item.nodeid)],
        )
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Attribute samples to this cell's notebook from before its kernel starts (nbval starts it in
    the setup of the notebook's first cell)."""
    if isinstance(item, IPyNbCell):
        item.config.stash[_MONITOR].notebook = notebook_of(item.nodeid)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Carry the notebook's peak so far on the report; fail the cell after which it first exceeds
    ``BINDER_LIMIT``."""
    report = yield
    monitor = item.config.stash[_MONITOR]
    notebook = notebook_of(item.nodeid) if isinstance(item, IPyNbCell) else None
    if notebook is None:
        return report
    monitor.sample()
    peak = monitor.peaks.get(notebook, 0)
    report.user_properties.append((PEAK, peak))
    if report.when == "call" and notebook not in monitor.over_limit and peak > BINDER_LIMIT:
        monitor.over_limit.add(notebook)
        report.outcome = "failed"
        report.longrepr = (
            f"{notebook}: its kernel's peak memory reached {peak / 2**20:.0f} MiB after "
            f"this cell, over Binder's {BINDER_LIMIT / 2**20:.0f} MiB."
        )
    return report


def pytest_terminal_summary(terminalreporter, config):
    """Print each notebook's time and peak, and write them to ``_build/notebook-memory.txt``."""
    results = config.stash[_RESULTS]
    if not results.seconds or hasattr(config, "workerinput"):
        return
    names = sorted(results.seconds)
    lines = [
        f"{name}: {results.seconds[name]:5.0f} s, peak {results.peaks[name] / 2**20:.0f} MiB "
        f"(limit {BINDER_LIMIT / 2**20:.0f} MiB)"
        for name in names
    ]
    terminalreporter.section("time and peak memory of each notebook's kernel")
    for line in lines:
        terminalreporter.write_line(line)
    TEXT_REPORT.parent.mkdir(parents=True, exist_ok=True)
    TEXT_REPORT.write_text("\n".join(lines) + "\n")
    JSON_REPORT.parent.mkdir(parents=True, exist_ok=True)
    JSON_REPORT.write_text(
        json.dumps(
            {
                name: {
                    "seconds": round(results.seconds[name], 1),
                    "peak_mib": round(results.peaks[name] / 2**20),
                }
                for name in names
            },
            indent=1,
        )
        + "\n"
    )
