"""How fast does Chapter 6's language model train? The course's LSTM against keras.layers.LSTM, in one run.

Run by hand (not a test): ``.venv/bin/python benchmarks/char_lm_speed.py``. Both candidates are the
chapter's model (:func:`lstm_lib.keras_layers.language_model.character_model`: two stateful layers of
256 units and a dense read-out, Adam with clipping), one built on the course's layer and one on
``keras.layers.LSTM``, with the same weights; a timed call is one ``train_on_batch`` on the next chunk
of Shakespeare (64 streams of 100 characters). Within a run the two take turns in blocks, as
``benchmarks/lstm_speed.py`` times its candidates (its :func:`median_times`), and the ratio is taken
within the run; each run is a fresh process, and the table gives the median over runs and the range.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lstm_speed import median_times  # noqa: E402  (the same turns and settling as the LSTM benchmark)

CANDIDATES = ("keras.layers.LSTM", "course LSTM (Chapter 5)")


def one_run(args: argparse.Namespace) -> dict[str, float]:
    """Seconds per training step (median) of each candidate, measured in this process."""
    import keras

    from lstm_lib import data, text
    from lstm_lib.keras_layers import LSTM
    from lstm_lib.keras_layers import language_model as lm

    corpus = data.shakespeare()
    vocabulary = text.Vocabulary.from_text(corpus)
    ids = vocabulary.encode(corpus[: args.batch * args.steps * 40 + 1])
    x, y = text.stateful_chunks(ids, args.batch, args.steps)
    inputs = [text.one_hot(chunk, vocabulary.size) for chunk in x]
    models = {}
    for name, layer in zip(CANDIDATES, (keras.layers.LSTM, LSTM)):
        keras.utils.set_random_seed(0)
        models[name] = lm.character_model(vocabulary.size, args.units, args.batch, args.layers, layer=layer)
    models[CANDIDATES[1]].set_weights(models[CANDIDATES[0]].get_weights())

    def training_step(model):
        chunks = itertools.cycle(range(len(x)))  # the next chunk at every call, as training reads them
        return lambda: model.train_on_batch(inputs[k := next(chunks)], y[k])

    return median_times({name: training_step(model) for name, model in models.items()}, args.repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=256)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=100, help="characters per stream and chunk")
    parser.add_argument("--repeats", type=int, default=20, help="timed training steps per candidate in a run")
    parser.add_argument("--runs", type=int, default=3, help="runs, each in a fresh process")
    parser.add_argument("--one-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_run:
        print(json.dumps(one_run(args)))
        return

    command = [
        sys.executable,
        __file__,
        "--one-run",
        "--units",
        str(args.units),
        "--layers",
        str(args.layers),
        "--batch",
        str(args.batch),
        "--steps",
        str(args.steps),
        "--repeats",
        str(args.repeats),
    ]
    results = []
    for run in range(args.runs):
        print(f"run {run + 1} of {args.runs}...", file=sys.stderr, flush=True)
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
    characters = args.batch * args.steps
    print(
        f"{args.layers} x {args.units} units, batch {args.batch} x {args.steps} characters, float32; "
        f"{args.runs} runs of {args.repeats} timed training steps each"
    )
    print(f"{'layer':26s} {'ms per step':>12s} {'characters/s':>13s} {'time ratio to Keras':>20s} {'range':>10s}")
    for name in CANDIDATES:
        ms = statistics.median(1e3 * r[name] for r in results)
        ratios = [r[name] / r[CANDIDATES[0]] for r in results]
        print(
            f"{name:26s} {ms:12.1f} {characters / ms * 1e3:13,.0f} {statistics.median(ratios):20.2f} "
            f"{min(ratios):.2f}-{max(ratios):.2f}"
        )


if __name__ == "__main__":
    main()
