"""The exercises' checks: they pass the library's own functions, fail every blank, and refuse planted mistakes.

For every forward or backward step at least three common mistakes are planted (a missing activation, gates
in the wrong order, a dropped gradient path, a transposed matrix, an answer off by 1e-4), each asserted to
fail, and with the mistake's name in the message where the check claims to recognise it. Bad candidates
(a list, a wrong shape, NaN, another error) get a message of their own, not a traceback from the check.
"""

import functools
import subprocess
import sys
import time

import numpy as np
import pytest

from lstm_lib import decoding, exercises, losses, text
from lstm_lib.activations import sigmoid
from lstm_lib.layer_parts import product_backward, split_blocks
from lstm_lib.numpy_gru import gru_step_backward, gru_step_forward
from lstm_lib.numpy_lstm import lstm_step_backward, lstm_step_forward
from lstm_lib.numpy_lstm_variants import variant_step
from lstm_lib.numpy_rnn import rnn_step_backward, rnn_step_forward
from lstm_lib.optim import clip_by_global_norm
from lstm_lib.scaling import Standardizer
from lstm_lib.series import persistence, split_windows

NUMPY_CHECKS = {
    "check_rnn_step_forward": rnn_step_forward,
    "check_rnn_step_backward": rnn_step_backward,
    "check_clip_by_global_norm": clip_by_global_norm,
    "check_lstm_step_forward": lstm_step_forward,
    "check_lstm_step_backward": lstm_step_backward,
    "check_sigmoid": sigmoid,
    "check_gru_step_forward": gru_step_forward,
    "check_gru_step_backward": gru_step_backward,
    "check_variant_step": variant_step,
    "check_softmax_with_temperature": text.softmax_with_temperature,
    "check_bits_per_character": text.bits_per_character,
    "check_ngram_bits_per_character": text.ngram_bits_per_character,
    "check_split_windows": split_windows,
    "check_persistence": persistence,
    "check_standardizer_fit": Standardizer.fit,
    "check_masked_sequence_cross_entropy": losses.masked_sequence_cross_entropy,
    "check_greedy_decode": decoding.greedy_decode,
    "check_beam_search": decoding.beam_search,
}


def reference(name):
    """The library's own answer to a check, imported when the check needs TensorFlow."""
    if name in NUMPY_CHECKS:
        return NUMPY_CHECKS[name]
    if name in ("check_tf_lstm_cell", "check_tf_gru_cell"):
        from lstm_lib.tf_rnn import GRUCell, LSTMCell

        return LSTMCell if "lstm" in name else GRUCell
    from lstm_lib.keras_layers import LSTMCell
    from lstm_lib.keras_layers.loop import lstm_loop

    return LSTMCell if name == "check_keras_lstm_cell" else lstm_loop


ALL_CHECKS = sorted(exercises.__all__)


def test_every_check_is_listed_here():
    assert set(ALL_CHECKS) == set(NUMPY_CHECKS) | {
        "check_tf_lstm_cell",
        "check_tf_gru_cell",
        "check_keras_lstm_cell",
        "check_lstm_loop",
    }


@pytest.mark.parametrize("name", ALL_CHECKS)
def test_the_librarys_own_function_passes_its_check_in_under_two_seconds(name, capsys):
    check, candidate = getattr(exercises, name), reference(name)  # TensorFlow imported first, where it is needed
    start = time.perf_counter()
    check(candidate)
    seconds = time.perf_counter() - start
    line = capsys.readouterr().out.strip()
    assert "right on all" in line and "largest relative error" in line, line
    assert seconds < 2.0, f"{name} took {seconds:.1f} s"


@pytest.mark.parametrize("name", sorted(NUMPY_CHECKS))
def test_a_blank_fails_with_not_written_yet(name):
    def blank(*args, **kwargs):
        raise NotImplementedError

    with pytest.raises(AssertionError, match="is not written yet: replace its `raise NotImplementedError`"):
        getattr(exercises, name)(blank)


def test_the_checks_never_show_the_right_answer():
    h = rnn_step_forward(np.ones((1, 1)), np.zeros((1, 1)), np.ones((1, 1)), np.ones((1, 1)), np.zeros(1))
    with pytest.raises(AssertionError) as failure:
        exercises.check_rnn_step_forward(lambda x_t, h_prev, kernel, recurrent_kernel, bias: np.zeros_like(h_prev))
    assert "Wrong h_t on case 1 of 4" in str(failure.value) and f"{h[0, 0]:.4f}" not in str(failure.value)


# --- planted mistakes: (check, a wrong function, the words its message must contain, or None) ---------------


def rnn_forward_no_tanh(x_t, h_prev, kernel, recurrent_kernel, bias):
    return x_t @ kernel + h_prev @ recurrent_kernel + bias


def rnn_forward_transposed(x_t, h_prev, kernel, recurrent_kernel, bias):
    return np.tanh(x_t @ kernel + h_prev @ recurrent_kernel.T + bias)


def rnn_forward_no_bias(x_t, h_prev, kernel, recurrent_kernel, bias):
    return np.tanh(x_t @ kernel + h_prev @ recurrent_kernel)


def off_by(function, factor=1 + 1e-4):
    @functools.wraps(function)
    def wrong(*args, **kwargs):
        result = function(*args, **kwargs)
        if isinstance(result, dict):
            return {k: v * factor for k, v in result.items()}
        if isinstance(result, tuple):
            return (result[0] * factor, *result[1:])
        return result * factor

    return wrong


def rnn_backward_no_slope(d_h, h_t, h_prev, x_t, kernel, recurrent_kernel):
    return product_backward(d_h, x_t, h_prev, kernel, recurrent_kernel)


def rnn_backward_u_not_transposed(d_h, h_t, h_prev, x_t, kernel, recurrent_kernel):
    grads = rnn_step_backward(d_h, h_t, h_prev, x_t, kernel, recurrent_kernel)
    return {**grads, "h_prev": (d_h * (1 - h_t**2)) @ recurrent_kernel}


def rnn_backward_bias_not_summed(d_h, h_t, h_prev, x_t, kernel, recurrent_kernel):
    grads = rnn_step_backward(d_h, h_t, h_prev, x_t, kernel, recurrent_kernel)
    return {**grads, "bias": d_h * (1 - h_t**2)}


def clip_each_on_its_own(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
    for g in grads.values():
        g *= min(1.0, max_norm / float(np.linalg.norm(g)))
    return norm


def clip_always(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
    for g in grads.values():
        g *= max_norm / norm
    return norm


def clip_new_arrays(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
    for name in grads:
        grads[name] = grads[name] * min(1.0, max_norm / norm)
    return norm


def lstm_forward_made(mistake):
    def step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
        z = x_t @ kernel + h_prev @ recurrent_kernel + bias
        order = {"swap": "fico", "tf1": "icfo"}.get(mistake, "ifco")
        blocks = dict(zip(order, split_blocks(z, 4)))
        i, f, o = sigmoid(blocks["i"]), sigmoid(blocks["f"]), sigmoid(blocks["o"])
        g = np.tanh(blocks["c"])
        c = f * c_prev + i * g
        h = o * c if mistake == "no tanh" else o * np.tanh(c)
        return h, c, (i, f, g, o)

    return step


def lstm_backward_made(mistake):
    def step(d_h, d_c_later, x_t, h_prev, c_prev, c, gates, kernel, recurrent_kernel):
        i, f, g, o = gates
        tanh_c = np.tanh(c)
        d_c = d_c_later + (0.0 if mistake == "no h path" else d_h * o * (1 - tanh_c**2))
        slopes = [i * (1 - i), f * (1 - f), 1 - g**2, o * (1 - o)]
        d_z = np.concatenate(
            [d_c * g * slopes[0], d_c * c_prev * slopes[1], d_c * i * slopes[2], d_h * tanh_c * slopes[3]], axis=-1
        )
        grads = product_backward(d_z, x_t, h_prev, kernel, recurrent_kernel)
        grads["c_prev"] = d_c * (i if mistake == "c through i" else f)
        if mistake == "kernel transposed":
            grads["kernel"] = (d_z.T @ x_t).T
            grads["x"] = grads["x"] * 1.01
        return grads

    return step


def naive_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_wrong_sign(z):
    return 0.5 * np.tanh(-0.5 * z) + 0.5


def gru_forward_made(mistake):
    def step(x_t, h_prev, kernel, recurrent_kernel, bias):
        h, (z, r, hh, u_h) = gru_step_forward(x_t, h_prev, kernel, recurrent_kernel, bias)
        if mistake == "chung":
            h = (1 - z) * h_prev + z * hh
        elif mistake == "no recurrent bias":
            h, parts = gru_step_forward(x_t, h_prev, kernel, recurrent_kernel, np.stack([bias[0], 0 * bias[1]]))
            return h, (z, r, hh, u_h)
        elif mistake == "swap":
            x_z, x_r, x_h = split_blocks(x_t @ kernel + bias[0], 3)
            u_z, u_r, u_h2 = split_blocks(h_prev @ recurrent_kernel + bias[1], 3)
            z2, r2 = sigmoid(x_r + u_r), sigmoid(x_z + u_z)
            h = z2 * h_prev + (1 - z2) * np.tanh(x_h + r2 * u_h2)
        return h, (z, r, hh, u_h)

    return step


def gru_backward_made(mistake):
    def step(d_h, x_t, h_prev, gates, kernel, recurrent_kernel):
        grads = gru_step_backward(d_h, x_t, h_prev, gates, kernel, recurrent_kernel)
        z = gates[0]
        if mistake == "no direct path":
            grads["h_prev"] = grads["h_prev"] - d_h * z
        elif mistake == "bias rows swapped":
            grads["bias"] = grads["bias"][::-1]
        elif mistake == "sign":
            grads = {k: -v for k, v in grads.items()}
        return grads

    return step


def variant_made(mistake):
    def step(z, c_prev, variant, peephole):
        result = dict(variant_step(z, c_prev, variant, peephole))
        if mistake == "no output activation ignored" and not variant.output_activation:
            result["h"] = result["o"] * np.tanh(result["c"])
        if mistake == "coupled as f" and variant.coupled:
            blocks = dict(zip(variant.blocks, split_blocks(z, len(variant.blocks))))
            f = sigmoid(blocks["f"])
            result["c"] = f * c_prev + f * np.tanh(blocks["c"])
            result["h"] = sigmoid(blocks["o"]) * np.tanh(result["c"])
        if mistake == "peephole o reads c_prev" and variant.peepholes:
            blocks = dict(zip(variant.blocks, split_blocks(z, len(variant.blocks))))
            result["h"] = sigmoid(blocks["o"] + peephole[2] * c_prev) * np.tanh(result["c"])
        return result

    return step


def softmax_times_t(logits, temperature):
    return text.softmax_with_temperature(np.asarray(logits) * temperature**2, temperature)


def softmax_overflows(logits, temperature):
    e = np.exp(np.asarray(logits) / temperature)
    return e / e.sum(axis=-1, keepdims=True)


def ngram_nats(train_ids, test_ids, size, order=2, smoothing=1.0):
    return text.ngram_bits_per_character(train_ids, test_ids, size, order, smoothing) * np.log(2)


def split_each_part_alone(series, lookback, horizon=1, validation=0.15, test=0.15):
    from lstm_lib.series import windows
    from lstm_lib.splits import contiguous_split

    parts = contiguous_split(series, validation, test)
    return {name: windows(part, lookback, horizon) for name, part in zip(("train", "validation", "test"), parts)}


def persistence_oldest(x, horizon=1):
    return np.repeat(np.asarray(x)[:, :1], horizon, axis=1)


def fit_sample_std(training, per_feature=False):
    axis = 0 if per_feature else None
    training = np.asarray(training, float)
    rows = training.reshape(-1, training.shape[-1]) if per_feature else training
    scale = rows.std(axis=axis, ddof=1)
    return Standardizer(rows.mean(axis=axis), np.where(scale > 0, scale, 1.0) if per_feature else float(scale))


def masked_loss_made(mistake):
    def wrong(logits, targets, mask):
        loss, gradient = losses.masked_sequence_cross_entropy(logits, targets, mask)
        if mistake == "padding averaged in":
            return loss * mask.sum() / mask.size, gradient * mask.sum() / mask.size
        if mistake == "gradient at padding":
            everywhere, _ = losses.masked_sequence_cross_entropy(logits, targets, np.ones_like(mask))
            _, full = losses.masked_sequence_cross_entropy(logits, targets, np.ones_like(mask))
            return loss, full * mask.size / mask.sum()
        if mistake == "sign":
            return loss, -gradient
        if mistake == "no shift":
            e = np.exp(logits)
            return loss, gradient + 0 * e.sum()
        raise AssertionError(mistake)

    return wrong


def greedy_made(mistake):
    def wrong(step, states, *, start, end, max_length):
        tokens, last = [], start
        for _ in range(max_length):
            log_probs, new_states = step(np.array([last]), states)
            if mistake != "states not carried":
                states = new_states
            last = int(np.argmax(log_probs[0]))
            if mistake == "end dropped" and last == end:
                break
            tokens.append(last)
            if last == end and mistake != "never stops":
                break
        return [start, *tokens] if mistake == "start included" else tokens

    return wrong


def beam_made(mistake):
    def wrong(step, states, *, start, end, beam_width, max_length, alpha=0.0):
        if mistake == "not normalised":
            found = decoding.beam_search(
                step, states, start=start, end=end, beam_width=beam_width, max_length=max_length
            )
            return [(t, s) for t, s in found]
        if mistake == "greedy":
            return decoding.beam_search(
                step, states, start=start, end=end, beam_width=1, max_length=max_length, alpha=alpha
            )
        if mistake == "worst first":
            found = decoding.beam_search(
                step, states, start=start, end=end, beam_width=beam_width, max_length=max_length, alpha=alpha
            )
            return found[::-1]
        raise AssertionError(mistake)

    return wrong


PLANTED = [
    ("check_rnn_step_forward", rnn_forward_no_tanh, "the tanh is missing"),
    ("check_rnn_step_forward", rnn_forward_transposed, "the recurrent kernel is used transposed"),
    ("check_rnn_step_forward", rnn_forward_no_bias, "the bias b is missing"),
    ("check_rnn_step_forward", off_by(rnn_step_forward), "the largest error is"),
    ("check_rnn_step_backward", rnn_backward_no_slope, "lacks the slope of tanh"),
    ("check_rnn_step_backward", rnn_backward_u_not_transposed, "uses U itself: it is dz_t U^T"),
    ("check_rnn_step_backward", rnn_backward_bias_not_summed, "Wrong shape of dbias"),
    ("check_rnn_step_backward", off_by(rnn_step_backward), "the largest error is"),
    ("check_clip_by_global_norm", clip_each_on_its_own, "clipped by its own norm"),
    ("check_clip_by_global_norm", clip_always, "clipped although the norm is below max_norm"),
    ("check_clip_by_global_norm", clip_new_arrays, "scale the arrays in place"),
    ("check_lstm_step_forward", lstm_forward_made("no tanh"), "h equals o * c: the tanh on the cell state is missing"),
    ("check_lstm_step_forward", lstm_forward_made("swap"), "i and f look swapped: the gate order is i, f, c, o"),
    ("check_lstm_step_forward", lstm_forward_made("tf1"), "TensorFlow 1's order"),
    ("check_lstm_step_forward", off_by(lstm_step_forward), "the largest error is"),
    ("check_lstm_step_backward", lstm_backward_made("no h path"), "lacks the path through h_t"),
    ("check_lstm_step_backward", lstm_backward_made("c through i"), "through the forget gate, dc_t * f_t"),
    ("check_lstm_step_backward", lstm_backward_made("kernel transposed"), "Wrong dx_t"),
    ("check_lstm_step_backward", off_by(lstm_step_backward), "the largest error is"),
    ("check_sigmoid", naive_sigmoid, "raised FloatingPointError"),
    ("check_sigmoid", sigmoid_wrong_sign, "the exponent is -z"),
    ("check_sigmoid", lambda z: np.tanh(z), "this is tanh(z)"),
    ("check_gru_step_forward", gru_forward_made("chung"), "Chung et al.'s and Colah's convention"),
    ("check_gru_step_forward", gru_forward_made("no recurrent bias"), "the recurrent bias bias[1] is missing"),
    ("check_gru_step_forward", gru_forward_made("swap"), "z and r look swapped"),
    ("check_gru_step_forward", off_by(gru_step_forward), "the largest error is"),
    ("check_gru_step_backward", gru_backward_made("no direct path"), "lacks the direct path d_h * z_t"),
    ("check_gru_step_backward", gru_backward_made("bias rows swapped"), "Wrong dbias"),
    ("check_gru_step_backward", gru_backward_made("sign"), "Wrong dh_prev"),
    ("check_gru_step_backward", off_by(gru_step_backward), "the largest error is"),
    ("check_variant_step", variant_made("no output activation ignored"), "without output activation it is o c"),
    ("check_variant_step", variant_made("coupled as f"), "it is i = 1 - f"),
    ("check_variant_step", variant_made("peephole o reads c_prev"), "reads the new cell"),
    ("check_softmax_with_temperature", softmax_times_t, "Wrong the probabilities"),
    ("check_softmax_with_temperature", softmax_overflows, "raised FloatingPointError"),
    (
        "check_softmax_with_temperature",
        lambda logits, temperature: text.softmax_with_temperature(logits, 1.0),
        "T was ignored",
    ),
    ("check_bits_per_character", lambda mean_nats: mean_nats * np.log(2), "bits are L / ln 2"),
    ("check_bits_per_character", lambda mean_nats: np.log2(mean_nats) if mean_nats > 0 else 0.0, "this is log2(L)"),
    ("check_ngram_bits_per_character", ngram_nats, "the loss is in nats"),
    ("check_split_windows", split_each_part_alone, "take their inputs from the validation part alone"),
    ("check_persistence", persistence_oldest, "repeats the oldest value"),
    ("check_standardizer_fit", fit_sample_std, "the sample standard deviation (ddof=1)"),
    ("check_masked_sequence_cross_entropy", masked_loss_made("padding averaged in"), "the padding was averaged in"),
    ("check_masked_sequence_cross_entropy", masked_loss_made("gradient at padding"), "not zero at the padding"),
    ("check_masked_sequence_cross_entropy", masked_loss_made("sign"), "the wrong sign"),
    ("check_masked_sequence_cross_entropy", masked_loss_made("no shift"), "raised FloatingPointError"),
    ("check_masked_sequence_cross_entropy", off_by(losses.masked_sequence_cross_entropy), "Wrong loss"),
    ("check_greedy_decode", greedy_made("start included"), "the start token was included"),
    ("check_greedy_decode", greedy_made("end dropped"), "the end token is missing"),
    ("check_greedy_decode", greedy_made("never stops"), "went on after the end token"),
    ("check_greedy_decode", greedy_made("states not carried"), "Pass each step the states"),
    ("check_beam_search", beam_made("not normalised"), "divide the summed log-probability"),
    ("check_beam_search", beam_made("greedy"), "Wrong number of hypotheses"),
    ("check_beam_search", beam_made("worst first"), "Wrong hypothesis 0"),
]


@pytest.mark.parametrize("name,wrong,words", PLANTED, ids=[f"{n}-{k}" for k, (n, *_) in enumerate(PLANTED)])
def test_a_planted_mistake_fails_and_is_named(name, wrong, words):
    with pytest.raises(AssertionError) as failure:
        getattr(exercises, name)(wrong)
    assert words in str(failure.value), str(failure.value)


def test_every_step_check_refuses_at_least_three_planted_mistakes():
    steps = [name for name in NUMPY_CHECKS if "step" in name or "decode" in name or "beam" in name or "masked" in name]
    for name in steps:
        assert sum(planted == name for planted, *_ in PLANTED) >= 3, name


@pytest.mark.parametrize(
    "candidate,words",
    [
        (
            lambda x_t, h_prev, kernel, recurrent_kernel, bias: rnn_step_forward(
                x_t, h_prev, kernel, recurrent_kernel, bias
            ).tolist(),
            "Expected h_t as a NumPy array of shape (1, 1)",
        ),
        (lambda x_t, h_prev, kernel, recurrent_kernel, bias: np.zeros((2, 2)), "Wrong shape of h_t on case 1 of 4"),
        (lambda x_t, h_prev, kernel, recurrent_kernel, bias: np.full_like(h_prev, np.nan), "NaN or infinity in h_t"),
        (
            lambda x_t, h_prev, kernel, recurrent_kernel, bias: x_t @ h_prev.T @ np.ones((3, 3)),
            "rnn_step_forward raised ValueError on case 1 of 4",
        ),
        (lambda x_t, h_prev: x_t, "rnn_step_forward raised TypeError"),
        ("not a function", "Expected a function to check"),
    ],
)
def test_a_bad_candidate_gets_a_message_not_a_traceback_from_the_check(candidate, words):
    with pytest.raises(AssertionError) as failure:
        exercises.check_rnn_step_forward(candidate)
    assert words in str(failure.value), str(failure.value)
    assert failure.value.__suppress_context__ or failure.value.__cause__ is None


def test_a_backward_that_agrees_with_a_wrong_forward_points_at_the_forward():
    def forward_without_tanh(x_t, h_prev, kernel, recurrent_kernel, bias):
        return x_t @ kernel + h_prev @ recurrent_kernel + bias

    def backward_without_slope(d_h, h_t, h_prev, x_t, kernel, recurrent_kernel):
        return product_backward(d_h, x_t, h_prev, kernel, recurrent_kernel)

    with pytest.raises(AssertionError, match="your two halves agree with each other, so the forward step is the one"):
        exercises.check_rnn_step_backward(backward_without_slope, forward=forward_without_tanh)


def test_a_right_backward_with_a_wrong_forward_passes_and_says_so(capsys):
    exercises.check_lstm_step_backward(lstm_step_backward, forward=lstm_forward_made("no tanh"))
    assert "your lstm_step_forward is not right yet" in capsys.readouterr().out


def test_importing_the_checks_loads_no_tensorflow():
    code = "import sys, lstm_lib.exercises; assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.full_environment
def test_the_tensorflow_checks_recognise_planted_mistakes():
    import tensorflow as tf

    from lstm_lib.keras_layers import LSTMCell as KerasLSTMCell
    from lstm_lib.tf_rnn import GRUCell, LSTMCell, LSTMState

    class TF1Order(LSTMCell):
        def step(self, inputs, state):
            h_prev, c_prev = state
            z_i, z_c, z_f, z_o = tf.split(inputs @ self.kernel + h_prev @ self.recurrent_kernel + self.bias, 4, -1)
            c = tf.sigmoid(z_f) * c_prev + tf.sigmoid(z_i) * tf.tanh(z_c)
            h = tf.sigmoid(z_o) * tf.tanh(c)
            return h, LSTMState(h, c)

    class Chung(GRUCell):
        def step(self, inputs, state):
            x_z, x_r, x_h = tf.split(inputs @ self.kernel + self.bias[0], 3, -1)
            u_z, u_r, u_h = tf.split(state @ self.recurrent_kernel + self.bias[1], 3, -1)
            z, r = tf.sigmoid(x_z + u_z), tf.sigmoid(x_r + u_r)
            h = (1 - z) * state + z * tf.tanh(x_h + r * u_h)
            return h, h

    class NoTanhKeras(KerasLSTMCell):
        def step(self, x_t, h, c, input_masks=None, recurrent_masks=None):
            import keras

            z_i, z_f, z_c, z_o = keras.ops.split(x_t @ self.kernel + h @ self.recurrent_kernel + self.bias, 4, -1)
            c = keras.ops.sigmoid(z_f) * c + keras.ops.sigmoid(z_i) * keras.ops.tanh(z_c)
            return keras.ops.sigmoid(z_o) * c, c

    for check, wrong, words in [
        (exercises.check_tf_lstm_cell, TF1Order, "TensorFlow 1's order"),
        (exercises.check_tf_gru_cell, Chung, "in Keras's, z keeps the old state"),
        (exercises.check_keras_lstm_cell, NoTanhKeras, "the tanh on the cell state is missing"),
    ]:
        with pytest.raises(AssertionError, match=words):
            check(wrong)
