"""Train the character-level LSTM that Chapter 6 loads: Shakespeare's plays, two layers of 256 units.

    .venv/bin/python scripts/train_shakespeare.py            # the shipped model (about 23 minutes on 2 cores)
    .venv/bin/python scripts/train_shakespeare.py --epochs 1 --limit 5 --units 16 --layers 1 --out /tmp/try  # a try

It writes ``<out>/shakespeare_lstm.keras`` (the weights, loadable with ``safe_mode=True`` once
``lstm_lib.keras_layers`` is imported) and ``<out>/shakespeare_lstm.json`` (the settings, the loss
every 50 chunks, the validation bits per character after every epoch, the test bits per character
of the final model, the time taken). The model kept is the one after the epoch with the lowest
validation loss (early stopping), and only it is measured on the test part.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402  (after the log level)
import numpy as np  # noqa: E402

from lstm_lib import data, splits, text  # noqa: E402
from lstm_lib.keras_layers import language_model as lm  # noqa: E402

SETTINGS = {
    "units": 256,
    "layers": 2,
    "batch": 64,
    "steps": 100,
    "learning_rate": 2e-3,
    "clip_norm": 1.0,
    "seed": 0,
    "validation": 0.05,
    "test": 0.05,
}
LOG_EVERY = 50


def corpus_parts(settings: dict) -> tuple[text.Vocabulary, list[np.ndarray]]:
    """The vocabulary of the whole corpus and the ids of its training, validation and test parts."""
    corpus = data.shakespeare()
    vocabulary = text.Vocabulary.from_text(corpus)
    parts = splits.contiguous_split(vocabulary.encode(corpus), settings["validation"], settings["test"])
    return vocabulary, list(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--limit", type=int, default=0, help="train on only this many chunks per epoch (a try)")
    parser.add_argument("--units", type=int, default=SETTINGS["units"], help="a smaller model for a try")
    parser.add_argument("--layers", type=int, default=SETTINGS["layers"])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "chapters" / "models")
    args = parser.parse_args()
    settings = dict(SETTINGS, units=args.units, layers=args.layers, epochs=args.epochs, limit=args.limit)
    vocabulary, (train, validation, test) = corpus_parts(settings)
    batch, steps = settings["batch"], settings["steps"]
    x, y = text.stateful_chunks(train, batch, steps)
    if args.limit:
        x, y = x[: args.limit], y[: args.limit]
    x_val, y_val = text.stateful_chunks(validation, batch, steps)
    x_test, y_test = text.stateful_chunks(test, batch, steps)

    keras.utils.set_random_seed(settings["seed"])
    model = lm.character_model(
        vocabulary.size,
        settings["units"],
        batch,
        settings["layers"],
        learning_rate=settings["learning_rate"],
        clip_norm=settings["clip_norm"],
    )
    log = {
        "settings": settings,
        "characters": vocabulary.characters,
        "curve": [],
        "epochs": [],
        "keras": keras.__version__,
        "numpy": np.__version__,
        "machine": platform.machine(),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    best, best_weights, started = np.inf, None, time.perf_counter()
    recent: list[float] = []

    def report(k: int, loss: float) -> None:
        recent.append(loss)
        if len(recent) == LOG_EVERY:
            seen = (epoch * len(x) + k + 1) * batch * steps
            log["curve"].append([seen, text.bits_per_character(float(np.mean(recent)))])
            recent.clear()

    for epoch in range(settings["epochs"]):
        losses = lm.train_stateful(model, x, y, report)
        val_bpc = text.bits_per_character(lm.mean_nats(model, x_val, y_val))
        elapsed = time.perf_counter() - started
        log["epochs"].append(
            {
                "epoch": epoch + 1,
                "train_bpc": text.bits_per_character(float(np.mean(losses))),
                "validation_bpc": val_bpc,
                "seconds": round(elapsed, 1),
            }
        )
        print(
            f"epoch {epoch + 1}: train {log['epochs'][-1]['train_bpc']:.3f}  validation {val_bpc:.3f} bits/char"
            f"  ({elapsed:.0f} s)",
            flush=True,
        )
        if val_bpc < best:
            best, best_weights = val_bpc, model.get_weights()
    model.set_weights(best_weights)
    log["best_epoch"] = 1 + int(np.argmin([e["validation_bpc"] for e in log["epochs"]]))
    log["test_bpc"] = text.bits_per_character(lm.mean_nats(model, x_test, y_test))
    log["seconds"] = round(time.perf_counter() - started, 1)
    lm.with_batch(model, 1).save(args.out / "shakespeare_lstm.keras")  # uncompiled: no optimizer state
    (args.out / "shakespeare_lstm.json").write_text(json.dumps(log, indent=1) + "\n")
    print(f"test {log['test_bpc']:.3f} bits/char; saved to {args.out}")


if __name__ == "__main__":
    main()
