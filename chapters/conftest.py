"""Keeps every notebook within Binder's memory: 2 GB for the whole session.

While nbval runs the chapters (``make test-notebooks``), a background thread samples the memory of the
processes under pytest, which are the running notebook's kernel and whatever it starts. For each process
it takes the peak resident memory the kernel reports (Linux's ``VmHWM``, so a spike between two samples
still counts; the current RSS elsewhere) and adds them up: an upper bound of the notebook's peak. The
cell at which a notebook's peak first goes over the limit fails. The peaks are printed after the tests
and written to ``_build/notebook-memory.txt``.
"""

import threading
from pathlib import Path

import psutil
import pytest
from nbval.plugin import IPyNbCell

BINDER_LIMIT = 2 * 1024**3  # bytes
SAMPLE_EVERY = 0.05  # seconds
REPORT = Path(__file__).resolve().parents[1] / "_build" / "notebook-memory.txt"


def peak_rss(process: psutil.Process) -> int:
    """The process's peak resident memory in bytes where the system keeps it (Linux), else its current
    resident memory."""
    try:
        status = Path(f"/proc/{process.pid}/status").read_text()
    except OSError:
        return process.memory_info().rss
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0  # a process that has exited but not yet been reaped holds no memory


class KernelMemory:
    """The peak memory of each notebook's kernel and its children, sampled in a background thread."""

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
        """Add up the peaks of every process under pytest and keep the largest sum for the notebook."""
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


_MONITOR = pytest.StashKey[KernelMemory]()


def pytest_configure(config):
    config.stash[_MONITOR] = KernelMemory()
    config.stash[_MONITOR].start()


def pytest_unconfigure(config):
    config.stash[_MONITOR].stop()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Attribute samples to this cell's notebook from before its kernel starts (nbval starts it in the
    setup of the notebook's first cell)."""
    if isinstance(item, IPyNbCell):
        item.config.stash[_MONITOR].notebook = item.parent.path.name


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Fail the cell after which its notebook's peak first exceeds ``BINDER_LIMIT``."""
    report = yield
    monitor = item.config.stash[_MONITOR]
    notebook = item.parent.path.name if isinstance(item, IPyNbCell) else None
    if report.when == "call" and notebook and notebook not in monitor.over_limit:
        monitor.sample()
        peak = monitor.peaks.get(notebook, 0)
        if peak > BINDER_LIMIT:
            monitor.over_limit.add(notebook)
            report.outcome = "failed"
            report.longrepr = (f"{notebook}: its kernel's peak memory reached {peak / 2**20:.0f} MiB after "
                               f"this cell, over Binder's {BINDER_LIMIT / 2**20:.0f} MiB.")
    return report


def pytest_terminal_summary(terminalreporter, config):
    """Print each notebook's peak and write the same lines to ``_build/notebook-memory.txt``."""
    peaks = config.stash[_MONITOR].peaks
    if not peaks:
        return
    lines = [f"{name}: peak {peak / 2**20:.0f} MiB (limit {BINDER_LIMIT / 2**20:.0f} MiB)"
             for name, peak in sorted(peaks.items())]
    terminalreporter.section("peak memory of each notebook's kernel")
    for line in lines:
        terminalreporter.write_line(line)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n")
