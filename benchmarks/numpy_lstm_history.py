"""What each change bought: the fused NumPy LSTM as it was at each step of its history, timed side by side.

Run by hand (not a test), in a clone with its git history: ``.venv/bin/python benchmarks/numpy_lstm_history.py``.
It takes ``lstm_lib/numpy_lstm.py`` as it was at each commit of :data:`HISTORY` (``git show``), loads each
version as a module beside today's ``lstm_lib`` (whose other modules every version imports), checks that
each computes today's numbers to float32 rounding, and times one forward and one backward pass of each at
batch 64, 32 features and 128 units in float32, as ``lstm_speed.py`` does and with its
:func:`lstm_speed.median_times`: the versions take turns in blocks of calls within one process, each keeping
its last result as a training loop keeps its gradients. Each run is a fresh process, and the table gives
the median over runs of each version's time, of its ratio to the version before it and of its ratio to the
first.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import types
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lstm_speed import median_times  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
HISTORY = [
    ("7dc52d4", "before: one product for all inputs, then one per step; the (batch, 4 units) layout"),
    ("b112d00", "fewer passes over memory: scale in the weights, no broadcast rows, tanh(c) kept"),
    ("40e7454", "memory reused from one call to the next (a pool, lstm_lib.workspace)"),
    ("17e3e7e", "each step transposed: one product per step, every gate a contiguous block"),
    ("cb76317", "the same without the pool"),
    ("26e8178", "the pool back, smaller (two arrays per shape, 256 MiB)"),
]
"""(commit, what changed) for each version of lstm_lib/numpy_lstm.py, oldest first."""


def git_show(commit: str, path: str) -> str:
    """The text of ``path`` at ``commit``."""
    return subprocess.run(
        ["git", "show", f"{commit}:{path}"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def load_version(commit: str) -> types.ModuleType:
    """lstm_lib/numpy_lstm.py at ``commit``, as a module that imports today's lstm_lib for everything else.

    A version that used ``lstm_lib.workspace``, which the last one removed, gets that module as it was at
    the same commit.
    """
    source = git_show(commit, "lstm_lib/numpy_lstm.py").replace("from . import workspace", "workspace = _workspace")
    source = source.replace("from .", "from lstm_lib.")
    module = types.ModuleType(f"numpy_lstm_{commit}")
    if "_workspace" in source:
        module._workspace = types.ModuleType(f"workspace_{commit}")
        exec(
            compile(git_show(commit, "lstm_lib/workspace.py"), f"workspace.py@{commit}", "exec"),
            module._workspace.__dict__,
        )
    exec(compile(source, f"numpy_lstm.py@{commit}", "exec"), module.__dict__)
    return module


def one_run(steps: int, repeats: int) -> dict[str, float]:
    """Median seconds per forward and backward pass of every version, taking turns in one process."""
    from lstm_lib.init import init_lstm_weights
    from lstm_lib.numpy_lstm import lstm_backward, lstm_forward

    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, steps, 32)).astype(np.float32)
    weights = init_lstm_weights(rng, 32, 128, dtype=np.float32)
    outputs, _, cache = lstm_forward(x, **weights)
    today = lstm_backward(np.ones_like(outputs), cache)
    versions = {commit: load_version(commit) for commit, _ in HISTORY}
    for commit, module in versions.items():  # every version computes the same function
        old_outputs, _, old_cache = module.lstm_forward(x, **weights)
        np.testing.assert_allclose(old_outputs, outputs, rtol=1e-4, atol=1e-5, err_msg=commit)
        grads = module.lstm_backward(np.ones_like(old_outputs), old_cache)
        for name in ("kernel", "recurrent_kernel", "bias", "x"):
            np.testing.assert_allclose(grads[name], today[name], rtol=1e-4, atol=1e-4, err_msg=f"{commit} {name}")

    def step(module: types.ModuleType):
        def one_pass():
            outputs, _, cache = module.lstm_forward(x, **weights)
            return module.lstm_backward(np.ones_like(outputs), cache)

        return one_pass

    return median_times({commit: step(module) for commit, module in versions.items()}, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, nargs="*", default=[50, 400])
    parser.add_argument("--repeats", type=int, default=40, help="timed calls per version in a run")
    parser.add_argument("--runs", type=int, default=5, help="runs, each in a fresh process")
    parser.add_argument("--one-run", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_run:  # a child process: one run at this many steps, as JSON
        print(json.dumps(one_run(args.one_run, args.repeats)))
        return
    print(f"batch 64, 32 features, 128 units, float32; {args.runs} runs of {args.repeats} timed calls per version")
    for steps in args.steps:
        results = []
        for run in range(args.runs):
            print(f"{steps} steps, run {run + 1} of {args.runs}...", file=sys.stderr, flush=True)
            command = [sys.executable, __file__, "--one-run", str(steps), "--repeats", str(args.repeats)]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            results.append(json.loads(output.strip().splitlines()[-1]))
        print(f"\n{steps} steps")
        print(f"{'commit':8s} {'ms':>7s} {'to the one before':>18s} {'range':>12s} {'to the first':>13s}  change")
        first = HISTORY[0][0]
        for k, (commit, change) in enumerate(HISTORY):
            ms = statistics.median(1e3 * r[commit] for r in results)
            to_first = statistics.median(r[commit] / r[first] for r in results)
            if k:
                ratios = [r[commit] / r[HISTORY[k - 1][0]] for r in results]
                before = f"{statistics.median(ratios):18.2f} {min(ratios):5.2f}-{max(ratios):.2f}"
            else:
                before = f"{'':18s} {'':11s}"
            print(f"{commit:8s} {ms:7.2f} {before} {to_first:13.2f}  {change}")


if __name__ == "__main__":
    main()
