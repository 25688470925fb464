"""Run the strict nbval check of every chapter under several numerical kernels, one variant after another.

A saved output may not depend on the last bits of a matrix product, and those bits depend on which
kernels the machine's libraries pick: OpenBLAS chooses its kernels by CPU (``OPENBLAS_CORETYPE``
overrides the choice), splits work by ``OPENBLAS_NUM_THREADS``, and NumPy's ufuncs, oneDNN and XLA choose
their instructions by what the CPU offers (``NPY_DISABLE_CPU_FEATURES``, ``ONEDNN_MAX_CPU_ISA``,
``--xla_cpu_max_isa``). A chapter that
passes on the machine that executed it may still fail on the next one. So ``make test-notebooks`` runs
the whole nbval check once per variant below, in the order given, and prints one line per variant::

    nbval strict, OPENBLAS_CORETYPE=Haswell OPENBLAS_NUM_THREADS=1 ...: 105 passed

A variant needs the instructions of the kernels it asks for; on a CPU without them the setting is
reported as skipped (never as passed) and the variant runs with the rest of its settings. Before each
run the OpenBLAS kernel that NumPy actually loads is read with ``threadpoolctl`` and printed, so a
variant that silently fell back to another kernel would show.

A variant that only sets OpenBLAS's kernel and thread count, to what this machine already uses by
default (as ``threadpoolctl`` reports it), would repeat the default run exactly: it is reported as "same
as the default run" and not run again. (On an AVX-512 machine whose OpenBLAS picks SkylakeX kernels with
two threads, that is the ``avx512`` variant.) Together the variants still cover Haswell and SkylakeX
kernels, one and two threads, and oneDNN at AVX2 on every machine that can run them.

Within a variant, the Makefile's pytest command runs two notebooks at a time (pytest-xdist, one worker
and kernel per notebook; ``tools/nbval_plugin.py``); a result does not depend on what runs beside it.
At the end a table gives each notebook's time and peak memory under each variant that ran.

Usage (what the Makefile runs)::

    python tools/nbval_variants.py [--only NAME ...] -- PYTEST COMMAND ...
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

REPORTS = Path(__file__).resolve().parents[1] / "_build" / "nbval"
NOTEBOOKS = REPORTS / "notebooks.json"  # each notebook's time and peak in the latest run (tools/nbval_plugin.py)


@dataclass(frozen=True)
class Setting:
    """One environment variable of a variant, and the CPU flag its kernels need (None: any CPU)."""

    name: str
    value: str
    needs: str | None = None


@dataclass(frozen=True)
class Variant:
    name: str
    settings: tuple[Setting, ...] = field(default_factory=tuple)


XLA_AVX2 = Setting("XLA_FLAGS", "--xla_cpu_max_isa=AVX2", needs="avx2")
# NumPy's own ufuncs (exp, log1p, ...) dispatch to AVX-512 code where the CPU has it, with other last bits.
NUMPY_AVX2 = Setting("NPY_DISABLE_CPU_FEATURES", "X86_V4 AVX512_ICL AVX512_SPR", needs="avx512f")

VARIANTS = (
    # Whatever this machine picks by itself (its environment may already set OPENBLAS_CORETYPE).
    Variant("default"),
    # The kernels of an AVX2 machine: OpenBLAS's Haswell kernels, NumPy, oneDNN and XLA kept to AVX2, one
    # BLAS thread. (Disabling NumPy's AVX-512 code is only needed, and only allowed, where the CPU has it.)
    Variant(
        "avx2",
        (
            Setting("OPENBLAS_CORETYPE", "Haswell", needs="avx2"),
            Setting("OPENBLAS_NUM_THREADS", "1"),
            NUMPY_AVX2,
            Setting("ONEDNN_MAX_CPU_ISA", "AVX2"),
            XLA_AVX2,
        ),
    ),
    # The kernels of an AVX-512 machine, two threads, oneDNN and XLA at their defaults.
    Variant(
        "avx512", (Setting("OPENBLAS_CORETYPE", "SkylakeX", needs="avx512f"), Setting("OPENBLAS_NUM_THREADS", "2"))
    ),
)


def cpu_flags() -> set[str]:
    """The instruction-set flags of this CPU (Linux's /proc/cpuinfo); empty where it cannot be read."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def openblas_in_use(env: dict[str, str]) -> str:
    """The OpenBLAS kernel and thread count NumPy loads under ``env``, as threadpoolctl reports them."""
    probe = (
        "import json, numpy, threadpoolctl\n"
        "print(json.dumps([(i.get('architecture'), i.get('num_threads')) for i in "
        "threadpoolctl.threadpool_info() if i.get('internal_api') == 'openblas']))"
    )
    result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    found = json.loads(result.stdout)
    return ", ".join(f"OpenBLAS {core}, {threads} thread(s)" for core, threads in found) or "no OpenBLAS"


def counts(junit_xml: Path) -> dict[str, int]:
    """passed / failed / skipped counts from pytest's JUnit XML report."""
    suite = ElementTree.parse(junit_xml).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    total, skipped = int(suite.get("tests", 0)), int(suite.get("skipped", 0))
    failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    return {"passed": total - failed - skipped, "failed": failed, "skipped": skipped}


def environment(variant: Variant, flags: set[str]) -> tuple[dict[str, str], list[str], list[str]]:
    """The variant's environment, the settings it applied and those the CPU cannot run."""
    env = dict(os.environ)
    applied, skipped = [], []
    for setting in variant.settings:
        if setting.needs is None or setting.needs in flags:
            env[setting.name] = setting.value
            applied.append(setting)
        else:
            skipped.append(f"{setting.name}={setting.value} skipped (the CPU has no {setting.needs})")
    return env, applied, skipped


def repeats_default(applied: list[Setting], kernels: str, default_kernels: str) -> bool:
    """True when the variant changes only OpenBLAS's kernel and threads, to what the default run uses."""
    return all(s.name.startswith("OPENBLAS_") for s in applied) and kernels == default_kernels


def run_variant(
    variant: Variant, command: list[str], flags: set[str], default_kernels: str | None
) -> tuple[str, bool, dict]:
    """Run ``command`` under the variant's settings.

    Returns its summary line, whether it passed, and each notebook's time and peak ({} when it did not
    run). ``default_kernels`` is what the default run used, when it ran in this invocation.
    """
    env, applied, skipped = environment(variant, flags)
    label = " ".join(f"{s.name}={s.value}" for s in applied) if applied else "the machine's default kernels"
    kernels = openblas_in_use(env)
    if variant.name != "default" and default_kernels is not None and repeats_default(applied, kernels, default_kernels):
        line = f"nbval strict, {label}: same as the default run ({kernels}), not run again"
        print(f"\n=== {line}", flush=True)
        stage_time(f"nbval {variant.name}:", "same as the default run, not run again")
        return line, True, {}
    print(f"\n=== nbval strict, {label} ({kernels})", *skipped, sep="\n    ", flush=True)

    REPORTS.mkdir(parents=True, exist_ok=True)
    report = REPORTS / f"{variant.name}.xml"
    report.unlink(missing_ok=True)
    start = time.perf_counter()
    code = subprocess.run([*command, f"--junitxml={report}"], env=env).returncode
    seconds = time.perf_counter() - start
    minutes = seconds / 60
    stage_time(f"nbval {variant.name}:", f"{seconds:7.0f} s")
    if not report.exists():
        return f"nbval strict, {label}: did not run (pytest exit code {code})", False, {}
    notebooks = {}
    if NOTEBOOKS.exists():
        shutil.copy(NOTEBOOKS, REPORTS / f"{variant.name}.json")
        notebooks = json.loads(NOTEBOOKS.read_text())
    n = counts(report)
    summary = ", ".join(f"{n[k]} {k}" for k in ("passed", "failed", "skipped") if n[k] or k == "passed")
    line = f"nbval strict, {label}: {summary} ({minutes:.1f} min; {kernels})"
    if skipped:
        line += "; " + "; ".join(skipped)
    return line, code == 0 and n["failed"] == 0, notebooks


def stage_time(name: str, text: str) -> None:
    """Add a line to the stage times of ``make test`` (tools/timed), when it is collecting them."""
    path = os.environ.get("STAGE_TIMES")
    if path:
        with open(path, "a") as file:
            file.write(f"{name:28s} {text}\n")


def notebook_table(by_variant: dict[str, dict]) -> list[str]:
    """One line per notebook: its time and peak memory under each variant that ran."""
    ran = {name: notebooks for name, notebooks in by_variant.items() if notebooks}
    names = sorted({notebook for notebooks in ran.values() for notebook in notebooks})
    lines = [f"{'notebook':48s}" + "".join(f"{name:>22s}" for name in ran)]
    for notebook in names:
        cells = []
        for notebooks in ran.values():
            entry = notebooks.get(notebook)
            cells.append(f"{entry['seconds']:5.0f} s {entry['peak_mib']:5d} MiB" if entry else "-")
        lines.append(f"{notebook:48s}" + "".join(f"{cell:>22s}" for cell in cells))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=[v.name for v in VARIANTS], help="run only these variants")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the pytest command, after --")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the pytest command after --")
    chosen = [v for v in VARIANTS if not args.only or v.name in args.only]
    flags = cpu_flags()
    default_kernels = None
    results, by_variant = [], {}
    for variant in chosen:
        line, ok, notebooks = run_variant(variant, command, flags, default_kernels)
        if variant.name == "default":
            default_kernels = openblas_in_use(dict(os.environ))
        results.append((line, ok))
        by_variant[variant.name] = notebooks
    print("\nnbval under each numerical variant:")
    for line, _ in results:
        print("  " + line)
    table = notebook_table(by_variant)
    if len(table) > 1:
        print("\neach notebook's time (kernel start to shutdown) and peak memory, by variant:")
        for line in table:
            print("  " + line)
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
