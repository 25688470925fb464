"""Chapter 7's data and its NumPy tools: the loaders, the split by time, windows, scaling, baselines."""

import numpy as np
import pytest

from lstm_lib import classification as cl
from lstm_lib import data, series
from lstm_lib.scaling import Standardizer


def test_sunspots_are_the_monthly_table_from_1749_to_2008():
    months, numbers = data.sunspots_monthly()
    assert months.dtype == np.dtype("datetime64[M]") and numbers.dtype == np.float64
    assert len(months) == len(numbers) == 260 * 12
    assert months[0] == np.datetime64("1749-01") and months[-1] == np.datetime64("2008-12")
    assert np.all(np.diff(months) == np.timedelta64(1, "M"))
    np.testing.assert_array_equal(numbers[:3], [58.0, 62.6, 70.0])  # the table's first row
    assert numbers.min() == 0.0 and numbers.max() == 253.8
    # the solar cycle: the autocorrelation of the yearly means peaks near 11 years
    yearly = numbers.reshape(-1, 12).mean(axis=1) - numbers.mean()
    correlation = [np.corrcoef(yearly[:-lag], yearly[lag:])[0, 1] for lag in range(8, 15)]
    assert 10 <= 8 + int(np.argmax(correlation)) <= 12


@pytest.mark.parametrize(
    "split, count, per_speaker",
    [
        ("train", 270, [30] * 9),
        ("test", 370, [31, 35, 88, 44, 29, 24, 40, 50, 29]),  # the counts of the UCI description
    ],
)
def test_japanese_vowels_have_the_published_counts(split, count, per_speaker):
    sequences, labels = data.japanese_vowels(split)
    assert len(sequences) == len(labels) == count and labels.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(labels), per_speaker)
    lengths = [len(s) for s in sequences]
    assert min(lengths) == 7 and max(lengths) <= 29
    assert all(s.shape[1] == data.VOWEL_FEATURES and s.dtype == np.float64 for s in sequences)
    assert all(np.isfinite(s).all() for s in sequences)


def test_a_missing_or_other_version_of_a_data_package_says_what_to_install(monkeypatch):
    from lstm_lib import _packaged

    monkeypatch.setattr(_packaged.importlib.metadata, "version", lambda name: "0.1")
    with pytest.raises(ImportError, match=r"Expected statsmodels==0\.15\.0\. Received: statsmodels==0\.1"):
        data.sunspots_monthly()
    monkeypatch.setattr(_packaged.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install --no-deps sktime==1\.2\.0"):
        data.japanese_vowels("train")


def test_japanese_vowels_rejects_an_unknown_split():
    with pytest.raises(ValueError, match=r"'train' or 'test'.*'validation'"):
        data.japanese_vowels("validation")


def test_windows_hold_the_past_and_the_next_values():
    x, y = series.windows(np.arange(10.0), lookback=3, horizon=2)
    np.testing.assert_array_equal(x[0], [0, 1, 2])
    np.testing.assert_array_equal(y[0], [3, 4])
    np.testing.assert_array_equal(x[-1], [5, 6, 7])
    np.testing.assert_array_equal(y[-1], [8, 9])
    assert len(x) == 10 - 3 - 2 + 1
    x, y = series.windows(np.arange(10.0), lookback=3, first_target=6)
    np.testing.assert_array_equal(y[:, 0], [6, 7, 8, 9])
    with pytest.raises(ValueError, match=r"lookback \+ horizon = 12.*series.shape=\(10,\)"):
        series.windows(np.arange(10.0), lookback=10, horizon=2)
    with pytest.raises(ValueError, match=r"Expected series of shape \(time,\)"):
        series.windows(np.zeros((10, 1)), lookback=3)


@pytest.mark.parametrize("horizon", [1, 12])
def test_split_windows_never_share_a_target_and_keep_time_order(horizon):
    values = np.arange(1000.0)  # each value is its own time index
    parts = series.split_windows(values, lookback=24, horizon=horizon, validation=0.15, test=0.15)
    targets = {part: y for part, (_, y) in parts.items()}
    spans = {part: (y.min(), y.max()) for part, y in targets.items()}
    assert spans["train"][1] < spans["validation"][0] and spans["validation"][1] < spans["test"][0]
    assert spans["train"][1] == 699 and spans["validation"] == (700, 849) and spans["test"] == (850, 999)
    for x, y in parts.values():  # inputs are the 24 values just before the first target
        np.testing.assert_array_equal(x[:, -1] + 1, y[:, 0])
    all_targets = np.concatenate([y.ravel() for y in targets.values()])
    assert len(np.unique(all_targets)) == 1000 - 24  # every value after the first window, in one part only
    assert len(np.unique(np.concatenate([y[:, 0] for y in targets.values()]))) == sum(len(y) for y in targets.values())


def test_next_step_targets_shift_the_window():
    x, y = series.windows(np.arange(8.0), lookback=3)
    np.testing.assert_array_equal(series.next_step_targets(x, y)[0], [1, 2, 3])


def test_standardizer_uses_the_training_part_only():
    train, rest = np.array([1.0, 3.0]), np.array([100.0])
    scaler = Standardizer.fit(train)
    assert (scaler.mean, scaler.scale) == (2.0, 1.0)
    np.testing.assert_allclose(scaler.transform(rest), [98.0])
    np.testing.assert_allclose(scaler.inverse(scaler.transform(rest)), rest)
    with pytest.raises(ValueError, match="not all equal"):
        Standardizer.fit(np.ones(5))
    frames = np.array([[1.0, 5.0], [3.0, 5.0]])
    per_feature = Standardizer.fit(frames, per_feature=True)
    np.testing.assert_allclose(per_feature.transform(frames), [[-1.0, 0.0], [1.0, 0.0]])  # a constant keeps scale 1
    with pytest.raises(ValueError, match=r"features\).*shape=\(3,\)"):
        Standardizer.fit(np.ones(3), per_feature=True)


def test_persistence_repeats_the_last_value():
    np.testing.assert_array_equal(series.persistence(np.array([[1.0, 2.0], [3.0, 4.0]]), 3), [[2, 2, 2], [4, 4, 4]])


def test_autoregression_recovers_a_linear_recurrence():
    rng = np.random.default_rng(0)
    values = np.zeros(3000)
    for t in range(2, len(values)):  # y_t = 0.5 + 1.6 y_{t-1} - 0.8 y_{t-2} + noise
        values[t] = 0.5 + 1.6 * values[t - 1] - 0.8 * values[t - 2] + 0.1 * rng.normal()
    x, y = series.windows(values, lookback=5)
    model = series.fit_autoregression(x, y, order=2)
    np.testing.assert_allclose(model.weights[:, 0], [-0.8, 1.6], atol=0.03)
    np.testing.assert_allclose(model.bias, [0.5], atol=0.05)
    assert series.rmse(model(x), y) < 0.105
    with pytest.raises(ValueError, match=r"order <= lookback = 5"):
        series.fit_autoregression(x, y, order=6)


def test_direct_autoregression_fits_each_horizon_and_recursion_compounds():
    values = 0.9 ** np.arange(60.0)  # y_t = 0.9 y_{t-1} exactly
    x, y = series.windows(values, lookback=4, horizon=3)
    direct = series.fit_autoregression(x, y, order=1)
    np.testing.assert_allclose(direct.weights[0], [0.9, 0.81, 0.729], rtol=1e-8)
    one_step = series.fit_autoregression(x, y[:, :1], order=1)
    recursive = series.recursive_forecast(lambda w: one_step(w)[:, 0], x, horizon=3)
    np.testing.assert_allclose(recursive, y, rtol=1e-8)


def test_recursive_forecast_feeds_back_its_forecasts():
    calls = []

    def last_plus_one(window):
        calls.append(window.copy())
        return window[:, -1] + 1

    out = series.recursive_forecast(last_plus_one, np.array([[0.0, 5.0]]), horizon=3)
    np.testing.assert_array_equal(out, [[6, 7, 8]])
    np.testing.assert_array_equal(calls[2], [[6.0, 7.0]])


def test_rmse_overall_and_per_horizon():
    f, y = np.array([[1.0, 2.0], [3.0, 6.0]]), np.array([[1.0, 0.0], [3.0, 0.0]])
    assert series.rmse(f, y) == pytest.approx(np.sqrt(40 / 4))
    np.testing.assert_allclose(series.rmse(f, y, axis=0), [0.0, np.sqrt(20)])
    with pytest.raises(ValueError, match=r"targets of shape \(2, 2\)"):
        series.rmse(f, y[:, :1])


def test_pad_sequences_pads_at_the_end_and_masks_the_padding():
    padded, mask = cl.pad_sequences([np.ones((2, 3)), 2 * np.ones((4, 3))], length=5, value=-1.0)
    assert padded.shape == (2, 5, 3)
    np.testing.assert_array_equal(mask, [[1, 1, 0, 0, 0], [1, 1, 1, 1, 0]])
    assert np.all(padded[0, 2:] == -1.0) and np.all(padded[1, :4] == 2.0)
    with pytest.raises(ValueError, match="at most length=3"):
        cl.pad_sequences([np.ones((4, 3))], length=3)
    with pytest.raises(ValueError, match=r"all with the same features\. Received: \[\(4, 2\), \(4, 3\)\]"):
        cl.pad_sequences([np.ones((4, 3)), np.ones((4, 2))])


def test_summary_features_ignore_the_order_of_frames(rng):
    sequence = rng.normal(size=(9, 4))
    features = cl.summary_features([sequence, sequence[::-1]])
    assert features.shape == (2, 8)
    np.testing.assert_allclose(features[0], features[1])
    np.testing.assert_allclose(features[0, :4], sequence.mean(axis=0))


def test_softmax_regression_learns_separable_classes(rng):
    centres = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    labels = np.repeat(np.arange(3), 50)
    features = centres[labels] + 100 + 0.5 * rng.normal(size=(150, 2))  # far from 0: scaling matters
    model = cl.fit_softmax_regression(features, labels, classes=3, steps=300)
    assert np.mean(model.predict(features) == labels) > 0.98
    np.testing.assert_allclose(model.scaler.mean, features.mean(axis=0))
    with pytest.raises(ValueError, match=r"labels in \[0, 2\)"):
        cl.fit_softmax_regression(features, labels, classes=2)


def test_softmax_regression_gradient_matches_finite_differences(rng):
    s, labels = rng.normal(size=(6, 3)), rng.integers(0, 4, 6)
    params = {"W": rng.normal(size=(3, 4)), "b": rng.normal(size=4)}
    _, grads = cl.softmax_regression_loss(params, s, labels, l2=0.3)
    for name, param in params.items():
        numeric = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            shifted = [{**params, name: param.copy()} for _ in range(2)]
            shifted[0][name][index] += 1e-6
            shifted[1][name][index] -= 1e-6
            plus, minus = (cl.softmax_regression_loss(p, s, labels, l2=0.3)[0] for p in shifted)
            numeric[index] = (plus - minus) / 2e-6
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-6, atol=1e-9)


def test_confusion_matrix_counts_pairs():
    counts = cl.confusion_matrix(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 1]), classes=3)
    np.testing.assert_array_equal(counts, [[1, 1, 0], [0, 1, 0], [0, 1, 0]])
    assert counts.sum() == 4
