"""The options of ``keras.layers.LSTM`` that the course's layer is compared on, option by option.

Shared by ``test_keras_lstm.py`` (TensorFlow backend) and ``benchmarks/keras_jax_gpu.py`` (JAX
backend, on a GPU); it imports nothing, so either can load it.
"""

OPTIONS = {
    "defaults": {},
    "return_sequences": {"return_sequences": True},
    "return_state": {"return_state": True},
    "go_backwards": {"go_backwards": True, "return_sequences": True, "return_state": True},
    "unroll": {"unroll": True, "return_sequences": True, "return_state": True},
    "activation": {"activation": "relu", "return_sequences": True},
    "recurrent_activation": {"recurrent_activation": "hard_sigmoid", "return_sequences": True},
    "no bias": {"use_bias": False, "return_state": True},
    "implementation 1": {"implementation": 1, "return_sequences": True},
}
