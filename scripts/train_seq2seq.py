"""Train Chapter 8's encoder-decoders and ship them: dates to ISO with attention, and reversal with and without it.

Run by hand from the repository root: ``.venv/bin/python scripts/train_seq2seq.py`` (about 12 minutes on
two cores; ``--quick`` for a two-minute try). It writes into ``chapters/models/``:

- ``dates_attention.keras``: written dates to ISO 8601, with attention;
- ``reversal_plain.keras`` and ``reversal_attention.keras``: strings of 4 to 30 letters reversed, without
  and with attention, the same size and training otherwise;
- ``seq2seq.json``: the settings, the vocabularies, each model's loss per epoch and its held-out exact
  match, and the time taken; ``tests/test_seq2seq_keras.py`` checks the shipped models against it.

Every model is the course's LSTM (``lstm_lib.keras_layers.seq2seq.encoder_decoder``), trained with
teacher forcing on batches of similar lengths (padded to a multiple of 8, so that few shapes are
compiled), seeded, and saved without its optimizer; each loads with ``safe_mode=True``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from lstm_lib import pairs  # noqa: E402
from lstm_lib.keras_layers import seq2seq  # noqa: E402
from lstm_lib.tokens import TokenVocabulary, teacher_forcing  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATE_TARGETS = TokenVocabulary("-0123456789")
SETTINGS = {
    "dates": {
        "train": 40_000,
        "test": 2_000,
        "epochs": 14,
        "units": 64,
        "embedding": 32,
        "seed": 0,
        "schedule": "constant",
    },
    "reversal": {
        "train": 30_000,
        "test_per_length": 50,
        "min_length": 4,
        "max_length": 30,
        "epochs": 20,
        "units": 64,
        "embedding": 16,
        "seed": 0,
        "schedule": "cosine",
    },
    "batch": 64,
    "learning_rate": 3e-3,
}


def date_data(settings: dict) -> dict:
    """Training and held-out pairs; a held-out source never occurs in training."""
    train = pairs.date_pairs(np.random.default_rng(settings["seed"]), settings["train"])
    seen = {source for source, _ in train}
    test = [
        p for p in pairs.date_pairs(np.random.default_rng(settings["seed"] + 1), settings["test"]) if p[0] not in seen
    ]
    return {"train": train, "test": test}


def reversal_data(settings: dict) -> dict:
    rng = np.random.default_rng(settings["seed"])
    train = pairs.reversal_pairs(rng, settings["train"], settings["min_length"], settings["max_length"])
    test = []
    for length in range(settings["min_length"], settings["max_length"] + 1):
        test += pairs.reversal_pairs(rng, settings["test_per_length"], length, length)
    return {"train": train, "test": test}


def batches(rng: np.random.Generator, data: list[tuple[str, str]], size: int) -> list[list[int]]:
    """Indices in batches of similar source lengths, the batches in a random order."""
    order = np.argsort([len(s) + rng.random() for s, _ in data], kind="stable")
    groups = [order[k : k + size].tolist() for k in range(0, len(order), size)]
    return [groups[k] for k in rng.permutation(len(groups))]


def padded(ids: np.ndarray, multiple: int = 8) -> np.ndarray:
    width = -(-ids.shape[1] // multiple) * multiple
    return np.pad(ids, ((0, 0), (0, width - ids.shape[1])))


def train(model, data, source_vocabulary, target_vocabulary, epochs, batch, seed, log_every=None) -> list[float]:
    rng = np.random.default_rng(seed)
    losses = []
    for epoch in range(1, epochs + 1):
        total, count, start = 0.0, 0, time.perf_counter()
        for indices in batches(rng, data, batch):
            sources, _ = source_vocabulary.batch([data[i][0] for i in indices])
            targets, _ = target_vocabulary.batch([data[i][1] for i in indices], end=True)
            targets = padded(targets)
            loss = model.train_on_batch([padded(sources), teacher_forcing(targets)], targets)
            total, count = total + float(loss) * len(indices), count + len(indices)
        losses.append(total / count)
        print(f"  epoch {epoch:2d}: loss {losses[-1]:.4f} ({time.perf_counter() - start:.0f} s)", flush=True)
    return losses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "chapters" / "models")
    parser.add_argument("--quick", action="store_true", help="small data, two epochs: a check that it runs")
    args = parser.parse_args()
    settings = json.loads(json.dumps(SETTINGS))
    if args.quick:
        settings["dates"].update(train=2000, test=200, epochs=2)
        settings["reversal"].update(train=2000, test_per_length=5, epochs=2)
    args.out.mkdir(parents=True, exist_ok=True)
    log = {"settings": settings, "keras": keras.__version__, "numpy": np.__version__, "models": {}}
    started = time.perf_counter()

    dates = date_data(settings["dates"])
    source_vocabulary = TokenVocabulary(pairs.date_symbols())
    log["date_symbols"] = source_vocabulary.symbols
    log["date_target_symbols"] = DATE_TARGETS.symbols
    jobs = [("dates_attention", "dates", True)]
    reversal = reversal_data(settings["reversal"])
    letters = TokenVocabulary(pairs.REVERSAL_LETTERS)
    jobs += [("reversal_plain", "reversal", False), ("reversal_attention", "reversal", True)]
    for name, task, attention in jobs:
        s = settings[task]
        data, vocabularies = (
            (dates, (source_vocabulary, DATE_TARGETS)) if task == "dates" else (reversal, (letters, letters))
        )
        print(f"{name}: {len(data['train'])} training pairs, {len(data['test'])} held out", flush=True)
        keras.utils.set_random_seed(s["seed"])
        rate = settings["learning_rate"]
        if s["schedule"] == "cosine":  # from the rate down to 3% of it along a cosine, over all the steps
            steps = s["epochs"] * -(-len(data["train"]) // settings["batch"])
            rate = keras.optimizers.schedules.CosineDecay(rate, steps, alpha=0.03)
        model = seq2seq.encoder_decoder(
            vocabularies[0].size,
            vocabularies[1].size,
            s["units"],
            s["embedding"],
            attention,
            rate,
            name=name,
        )
        begin = time.perf_counter()
        losses = train(model, data["train"], *vocabularies, s["epochs"], settings["batch"], s["seed"])
        seconds = time.perf_counter() - begin
        translator = seq2seq.Translator(model, *vocabularies)
        longest = max(len(t) for _, t in data["test"]) + 1
        written = translator.greedy([source for source, _ in data["test"]], longest)
        right = seq2seq.exact_match(written, [target for _, target in data["test"]])
        print(f"  held-out exact match {right.mean():.2%} ({seconds:.0f} s of training)", flush=True)
        shipped = keras.models.clone_model(model)  # uncompiled: no optimizer state in the file
        shipped.set_weights(model.get_weights())
        shipped.save(args.out / f"{name}.keras")
        log["models"][name] = {"loss": losses, "exact_match": float(right.mean()), "seconds": round(seconds, 1)}
    log["seconds"] = round(time.perf_counter() - started, 1)
    (args.out / "seq2seq.json").write_text(json.dumps(log, indent=1) + "\n")
    print(f"wrote {args.out}; {log['seconds'] / 60:.0f} minutes in all")


if __name__ == "__main__":
    main()
