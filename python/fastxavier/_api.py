"""Public fills: Xavier/Glorot uniform and normal, and raw Philox words."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np

from . import _core, _seeding
from ._checks import (
    UINT64_LIMIT,
    check_fan,
    check_float_array,
    check_gain,
    check_integer,
    check_threads,
    check_uint32_array,
    check_uint64,
)
from ._fans import compute_fans

__all__ = ["uniform_", "normal_", "bits_"]

# Codes of csrc/kernel.hpp's Distribution.
_BITS = 0
_UNIFORM = 1
_NORMAL = 2


@dataclass(frozen=True)
class XavierCall:
    """Checked arguments of one Xavier fill."""

    fan_in: int
    fan_out: int
    gain: float
    seed: int
    stream: int
    threads: int


@dataclass(frozen=True)
class BitsCall:
    seed: int
    stream: int
    start: int
    threads: int


def xavier_bound(gain: float, fan_in: int, fan_out: int) -> float:
    """Return a = gain * sqrt(6 / (fan_in + fan_out)), the uniform's half-width."""
    return gain * math.sqrt(6.0 / (fan_in + fan_out))


def xavier_std(gain: float, fan_in: int, fan_out: int) -> float:
    """Return std = gain * sqrt(2 / (fan_in + fan_out))."""
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


def resolve_key(seed: object, stream: object) -> tuple[int, int]:
    """Return the (seed, stream) of a call; seed=None takes the default seed's next
    stream."""
    if seed is None:
        if check_uint64(stream, "stream") != 0:
            raise ValueError(
                f"stream={stream!r} needs an explicit seed: with seed=None the default "
                "generator chooses the stream; pass seed=... or leave stream at 0"
            )
        return _seeding.next_default_key()
    return check_uint64(seed, "seed"), check_uint64(stream, "stream")


def prepare_xavier(array, fan_in, fan_out, gain, seed, stream, threads) -> Optional[XavierCall]:
    """Check every argument of a Xavier fill; return None for an empty array."""
    check_float_array(array)
    gain = check_gain(gain)
    threads = check_threads(threads)
    fan_in = None if fan_in is None else check_fan(fan_in, "fan_in")
    fan_out = None if fan_out is None else check_fan(fan_out, "fan_out")
    if array.size == 0:
        if seed is not None:
            check_uint64(seed, "seed")
            check_uint64(stream, "stream")
        return None
    if fan_in is None or fan_out is None:
        shape_fan_in, shape_fan_out = compute_fans(array.shape)
        fan_in = shape_fan_in if fan_in is None else fan_in
        fan_out = shape_fan_out if fan_out is None else fan_out
    seed, stream = resolve_key(seed, stream)
    return XavierCall(fan_in, fan_out, gain, seed, stream, threads)


def prepare_bits(array, seed, stream, start, threads) -> BitsCall:
    check_uint32_array(array)
    seed = check_uint64(seed, "seed")
    stream = check_uint64(stream, "stream")
    start = check_integer(start, "start")
    threads = check_threads(threads)
    limit = 4 * UINT64_LIMIT  # 2^64 blocks of 4 words
    if start < 0 or start + array.size > limit:
        raise ValueError(
            f"start={start} is out of range for {array.size} words; expected "
            f"0 <= start and start + array.size <= 2**66, the length of a stream"
        )
    return BitsCall(seed, stream, start, threads)


def xavier_fill_checked(array, fan_in, fan_out, gain, seed, stream, threads, distribution):
    """Check every argument, then fill: the path of calls the C++ fast path passes on."""
    call = prepare_xavier(array, fan_in, fan_out, gain, seed, stream, threads)
    if call is None:
        return array
    if distribution == _UNIFORM:
        param = xavier_bound(call.gain, call.fan_in, call.fan_out)
    else:
        param = xavier_std(call.gain, call.fan_in, call.fan_out)
    _core.fill(array, distribution, param, call.seed, call.stream, 0, 0, call.threads)
    return array


def uniform_(
    array: np.ndarray,
    fan_in: Optional[int] = None,
    fan_out: Optional[int] = None,
    *,
    gain: float = 1.0,
    seed: Optional[int] = None,
    stream: int = 0,
    threads: Optional[int] = None,
) -> np.ndarray:
    """Fill `array` in place with Xavier/Glorot uniform values and return it.

    Values are drawn from U(-a, a), every one strictly inside, with
    a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot and Bengio, "Understanding the
    difficulty of training deep feedforward neural networks", AISTATS 2010).

    Parameters
    ----------
    array : numpy.ndarray
        Writable float32 or float64 array in native byte order, of any layout
        (C or F order, strided, negative strides, unaligned, memory-mapped). Written in
        place; element ``i`` in C order gets element ``i`` of the stream.
    fan_in, fan_out : int, optional
        Fans, each >= 1. An omitted fan comes from the shape with PyTorch's rule
        (:func:`compute_fans`), which needs at least 2 dimensions.
    gain : float, default 1.0
        Finite, >= 0; see :func:`calculate_gain`.
    seed : int, optional
        Philox key, in [0, 2**64). None draws the next stream of the default seed
        (:func:`manual_seed`), and then `stream` must stay 0.
    stream : int, default 0
        Stream of the seed, in [0, 2**64): independent sequences for one seed.
    threads : int, optional
        Threads for this call (>= 1); None uses :func:`get_num_threads`. The values do
        not depend on it.

    Returns
    -------
    numpy.ndarray
        `array` itself.

    Raises
    ------
    TypeError
        If `array` is not an ndarray of float32 or float64, or an integer argument
        has another type.
    ValueError
        If `array` is read-only or byte-swapped, a fan is below 1, `gain` is
        negative or not finite, `seed` or `stream` is outside [0, 2**64), `threads`
        is below 1, or fans are omitted for an array of fewer than 2 dimensions.
        The array is not modified.

    Examples
    --------
    >>> import numpy as np, fastxavier
    >>> w = np.empty((512, 256), dtype=np.float32)
    >>> fastxavier.uniform_(w, seed=42) is w
    True
    """
    return _core.xavier_fill(array, fan_in, fan_out, gain, seed, stream, threads, _UNIFORM)


def normal_(
    array: np.ndarray,
    fan_in: Optional[int] = None,
    fan_out: Optional[int] = None,
    *,
    gain: float = 1.0,
    seed: Optional[int] = None,
    stream: int = 0,
    threads: Optional[int] = None,
) -> np.ndarray:
    """Fill `array` in place with Xavier/Glorot normal values and return it.

    Values are drawn from N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)),
    by the Box-Muller transform on pairs of elements. Parameters, return value and
    errors are those of :func:`uniform_`.

    Examples
    --------
    >>> import numpy as np, fastxavier
    >>> w = fastxavier.normal_(np.empty((64, 32, 3, 3)), seed=1)
    >>> w.dtype
    dtype('float64')
    """
    return _core.xavier_fill(array, fan_in, fan_out, gain, seed, stream, threads, _NORMAL)


def bits_(
    array: np.ndarray,
    *,
    seed: int,
    stream: int = 0,
    start: int = 0,
    threads: Optional[int] = None,
) -> np.ndarray:
    """Fill a uint32 `array` in place with the raw Philox4x32-10 words of a stream.

    Element ``i`` (C order) gets word ``start + i``; word ``w`` is word ``w % 4`` of
    block ``w // 4``. Like NumPy's ``BitGenerator.random_raw``, but in place and
    addressable anywhere in the 2**66 words of a stream.

    Parameters
    ----------
    array : numpy.ndarray
        Writable uint32 array in native byte order, any layout.
    seed : int
        Philox key, in [0, 2**64). Required.
    stream : int, default 0
        In [0, 2**64).
    start : int, default 0
        Index of the first word; ``start + array.size`` must not pass 2**66.
    threads : int, optional
        As in :func:`uniform_`.

    Returns
    -------
    numpy.ndarray
        `array` itself.
    """
    call = prepare_bits(array, seed, stream, start, threads)
    if array.size == 0:
        return array
    block_base, first = divmod(call.start, 4)
    _core.fill(array, _BITS, 0.0, call.seed, call.stream, first, block_base, call.threads)
    return array
