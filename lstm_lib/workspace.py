"""Arrays that the fused NumPy layers reuse from one call to the next, instead of asking the system for new memory.

A training loop calls the forward and backward passes with arrays of the same shapes again and again. Fresh
memory is not free: the operating system hands it over one page at a time, on first touch, and the C library
under NumPy asks the system afresh for every array above 32 MB (smaller ones it mostly keeps and reuses
itself), so a pass over 400 steps of 64 sequences, whose gates alone take 52 MB, pays for all of its memory on
every call. TensorFlow and PyTorch keep the memory of arrays they no longer need in a pool of their own and
hand it out again; :func:`empty` does the same for NumPy.

An array goes back into use only when nothing else refers to it any more: not the caller, not a cache, not a
view of it (a view holds a reference to the array it looks into). So reuse can never change an array that
someone still reads. The pool keeps at most ``SPARES`` arrays of each shape and dtype, and at most ``MAX_BYTES``
in all; beyond that it forgets the oldest, as if there were no pool.

Used by :mod:`lstm_lib.numpy_lstm`; measured in the speed appendix.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict

import numpy as np

SPARES = 2
"""How many arrays of one shape and dtype the pool keeps. A training loop needs two, the one its last
gradients still view and the one in use."""
MAX_BYTES = 256 * 2**20
"""The most memory the pool keeps, in bytes (256 MiB; the speed appendix's pass of 400 steps reuses about 170 MB)."""

_pool: OrderedDict[tuple, list[np.ndarray]] = OrderedDict()
_lock = threading.Lock()  # two threads asking at once never get the same array


def _references_when_free() -> int:
    """What sys.getrefcount says, in :func:`empty`'s loop, of an array that only the pool holds."""
    for array in [np.empty(0)]:
        return sys.getrefcount(array)  # the list's reference, the loop variable's and the call's own
    raise AssertionError  # not reached


_FREE_REFERENCES = _references_when_free()


def empty(shape: tuple[int, ...], dtype) -> np.ndarray:
    """A writable C-contiguous array of ``shape`` and ``dtype`` whose contents are undefined, as ``np.empty``.

    It is one that an earlier call returned, if no one refers to it any more, else a new one (kept for later).
    """
    key = (tuple(shape), np.dtype(dtype).str)
    with _lock:
        arrays = _pool.get(key)
        if arrays is not None:
            for array in arrays:
                if sys.getrefcount(array) <= _FREE_REFERENCES:
                    _pool.move_to_end(key)
                    array.flags.writeable = True
                    return array
        array = np.empty(shape, dtype)
        if arrays is None:
            arrays = _pool[key] = []
        arrays.append(array)
        if len(arrays) > SPARES:
            arrays.pop(0)
        _forget_the_oldest()
        return array


def kept_bytes() -> int:
    """The memory the pool holds, in bytes."""
    return sum(array.nbytes for arrays in _pool.values() for array in arrays)


def clear() -> None:
    """Forget every array kept for reuse (their memory goes back to the system when no one else holds them)."""
    with _lock:
        _pool.clear()


def _forget_the_oldest() -> None:
    while len(_pool) > 1 and kept_bytes() > MAX_BYTES:
        _pool.popitem(last=False)
