"""How fast do Chapter 7's models train? The course's LSTM against keras.layers.LSTM, in one run.

Run by hand (not a test): ``.venv/bin/python benchmarks/measured_data_speed.py``. The candidates are the
chapter's two models (:mod:`lstm_lib.keras_layers.supervised`), each built once on the course's layer
and once on ``keras.layers.LSTM`` with the same weights: the many-to-one sunspot forecaster (16 units,
windows of 24 months, batches of 64) and the vowel classifier (32 units, 29 padded frames with a mask,
batches of 64). A timed call is one epoch, ``model.fit(..., epochs=1)`` over the chapter's training set,
as :func:`lstm_lib.keras_layers.supervised.fit` runs them (without the validation pass). Within a run the
candidates take turns in blocks (``benchmarks/lstm_speed.py``'s :func:`median_times`) and the ratio is
taken within the run; each run is a fresh process, and the table gives the median over runs and the range.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lstm_speed import median_times  # noqa: E402  (the same turns and settling as the LSTM benchmark)

LAYERS = ("keras.layers.LSTM", "course LSTM (Chapter 5)")
TASKS = ("sunspot forecaster", "vowel classifier")


def _task_data(task: str):
    import numpy as np

    from lstm_lib import classification, data, series, splits
    from lstm_lib.scaling import Standardizer

    if task == TASKS[0]:
        _, numbers = data.sunspots_monthly()
        scaler = Standardizer.fit(splits.contiguous_split(numbers, 0.15, 0.15)[0])
        x, y = series.split_windows(scaler.transform(numbers), 24)["train"]
        return x[..., None], y, 64
    sequences, labels = data.japanese_vowels("train")
    scaler = Standardizer.fit(np.concatenate(sequences), per_feature=True)
    padded, _ = classification.pad_sequences([scaler.transform(s) for s in sequences], length=29)
    return padded, labels, 64


def _model(task: str, layer: type):
    from lstm_lib.keras_layers import supervised

    if task == TASKS[0]:
        return supervised.forecaster(24, 16, layer=layer)
    return supervised.sequence_classifier(29, 12, 9, 32, layer=layer)


def _epoch(model, x, y, batch: int):
    return lambda: model.fit(x, y, epochs=1, batch_size=batch, verbose=0)


def one_run(repeats: int) -> dict[str, float]:
    """Seconds per training epoch (median) of each task and layer, measured in this process."""
    import keras

    from lstm_lib.keras_layers import LSTM

    steps = {}
    for task in TASKS:
        x, y, batch = _task_data(task)
        models = {}
        for name, layer in zip(LAYERS, (keras.layers.LSTM, LSTM)):
            keras.utils.set_random_seed(0)
            models[name] = _model(task, layer)
        models[LAYERS[1]].set_weights(models[LAYERS[0]].get_weights())
        for name, model in models.items():
            steps[f"{task}|{name}"] = _epoch(model, x, y, batch)
    return median_times(steps, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10, help="timed epochs per candidate in a run")
    parser.add_argument("--runs", type=int, default=3, help="runs, each in a fresh process")
    parser.add_argument("--one-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_run:
        print(json.dumps(one_run(args.repeats)))
        return

    command = [sys.executable, __file__, "--one-run", "--repeats", str(args.repeats)]
    results = []
    for run in range(args.runs):
        print(f"run {run + 1} of {args.runs}...", file=sys.stderr, flush=True)
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
    print(f"float64; {args.runs} runs of {args.repeats} timed epochs per candidate")
    print(f"{'model':20s} {'layer':26s} {'s per epoch':>12s} {'time ratio to Keras':>20s} {'range':>10s}")
    for task in TASKS:
        for name in LAYERS:
            seconds = statistics.median(r[f"{task}|{name}"] for r in results)
            ratios = [r[f"{task}|{name}"] / r[f"{task}|{LAYERS[0]}"] for r in results]
            print(
                f"{task:20s} {name:26s} {seconds:12.3f} {statistics.median(ratios):20.2f} "
                f"{min(ratios):.2f}-{max(ratios):.2f}"
            )


if __name__ == "__main__":
    main()
