"""Chapter 5's LSTM against keras.layers.LSTM on a GPU, with Keras's JAX backend.

Run by hand on a machine with an NVIDIA GPU, JAX with CUDA, and Keras 3.15 (TensorFlow is not
needed): ``python benchmarks/keras_jax_gpu.py`` from the repository's root. It checks, against
``keras.layers.LSTM`` on the same weights: the outputs and states for nine options with and without
a mask, both with Keras's generic loop (``use_cudnn=False``, which must agree) and with its cuDNN
path (reported); the gradients through a mask; the losses of a short ``fit``. Then it times one
jit-compiled forward and backward pass at Chapter 2's sizes. The results are in book/speed.md.
"""

import os
import sys
import time

os.environ["KERAS_BACKEND"] = "jax"
sys.path[:0] = [os.getcwd()]  # lstm_lib from this checkout, run from the repository's root

import jax
import keras
import numpy as np

from lstm_lib.keras_layers import LSTM
from lstm_lib.keras_layers.compare import OPTIONS, as_arrays, largest_difference, twin_layers

print("keras", keras.__version__, "backend", keras.backend.backend(), "jax", jax.__version__, jax.devices())
assert jax.devices()[0].platform == "gpu"

B, T, D, H = 3, 6, 4, 5
rng = np.random.default_rng(0)
x = rng.standard_normal((B, T, D)).astype("float32")
mask = np.array([[1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0]], bool)


def twins(use_cudnn="auto", **options):
    return twin_layers(H, (B, T, D), rng, keras.layers.LSTM(H, use_cudnn=use_cudnn, **options), **options)


jax.config.update("jax_default_matmul_precision", "highest")
for use_cudnn in (False, "auto"):
    worst = {}
    for name, options in OPTIONS.items():
        builtin, course = twins(use_cudnn=use_cudnn, **options)
        for m in (None, mask):
            expected, got = as_arrays(builtin(x, mask=m)), as_arrays(course(x, mask=m))
            d = largest_difference(expected, got)
            worst[(name, m is not None)] = d
            if d >= 1e-5:
                parts = [float(np.max(np.abs(e - g))) for e, g in zip(expected, got)]
                print(f"  DIFFERS (use_cudnn={use_cudnn}): {name}, mask={m is not None}: per output {parts}")
                if len(expected[0].shape) == 3:
                    flipped = float(np.max(np.abs(expected[0][:, ::-1] - got[0])))
                    print(f"    course outputs vs Keras's outputs reversed in time: {flipped:.1e}")
    print(
        f"keras.layers.LSTM(use_cudnn={use_cudnn}): 9 options x (no mask, mask), largest difference "
        f"{max(worst.values()):.1e}; above 1e-5: {[k for k, v in worst.items() if v >= 1e-5]}"
    )
    if use_cudnn is False:
        assert max(worst.values()) < 1e-5

# gradients with respect to the weights and the inputs, through stateless_call
builtin, course = twins(return_sequences=True)


def values(variables):
    return [v.value for v in variables]


def loss_of(layer):
    def loss(trainable, inputs):
        out, _ = layer.stateless_call(trainable, values(layer.non_trainable_variables), inputs, mask=mask)
        return (out**2).sum()

    return jax.grad(loss, argnums=(0, 1))


g_builtin = loss_of(builtin)(values(builtin.trainable_variables), x)
g_course = loss_of(course)(values(course.trainable_variables), x)
grad_diff = max(largest_difference(a, b) for a, b in zip(g_builtin[0], g_course[0]))
grad_diff = max(grad_diff, largest_difference(g_builtin[1], g_course[1]))
print(f"gradients (weights and inputs, with a mask): largest difference {grad_diff:.1e}")
assert grad_diff < 1e-4

# a short fit: the same history
histories = []
for layer_class in (lambda units: keras.layers.LSTM(units, use_cudnn=False), LSTM):
    keras.utils.set_random_seed(0)
    data = np.random.default_rng(1).integers(0, 2, (512, 20, 1)).astype("float32")
    target = data.sum(axis=(1, 2))
    model = keras.Sequential([keras.Input((20, 1)), layer_class(16), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    histories.append(model.fit(data, target, batch_size=64, epochs=5, verbose=0).history["loss"])
print("fit losses, Keras :", [round(v, 4) for v in histories[0]])
print("fit losses, course:", [round(v, 4) for v in histories[1]])
fit_diff = max(abs(a - b) / abs(a) for a, b in zip(*histories))
print(f"largest relative difference in the losses: {fit_diff:.1e}")
assert fit_diff < 1e-5

# forward + backward time at Chapter 2's sizes, jit-compiled, median of 50 after warm-up
xb = np.random.default_rng(2).standard_normal((64, 50, 32)).astype("float32")
times = {}
jax.config.update("jax_default_matmul_precision", None)
makers = {
    "keras.layers.LSTM": lambda: keras.layers.LSTM(128, return_sequences=True, use_cudnn=False),
    "keras LSTM, cuDNN": lambda: keras.layers.LSTM(128, return_sequences=True),
    "course LSTM": lambda: LSTM(128, return_sequences=True),
}
for name, make in makers.items():
    layer = make()
    layer.build((None, None, 32))
    fixed = values(layer.non_trainable_variables)

    def loss(trainable, inputs, layer=layer, fixed=fixed):
        out, _ = layer.stateless_call(trainable, fixed, inputs)
        return out.sum()

    step = jax.jit(jax.grad(loss))
    trainable = values(layer.trainable_variables)
    jax.block_until_ready(step(trainable, xb))
    samples = []
    for _ in range(50):
        start = time.perf_counter()
        jax.block_until_ready(step(trainable, xb))
        samples.append(time.perf_counter() - start)
    times[name] = float(np.median(samples))
for name, t in times.items():
    print(f"{name:20s} {1e3 * t:7.3f} ms  ratio {t / times['keras.layers.LSTM']:.2f}")
print("ALL CHECKS PASSED")
