"""Public fills: Xavier/Glorot uniform and normal, truncated normal, raw Philox words.

Every fill goes through one of fill_uniform, fill_normal or fill_truncated_normal,
which take checked arguments; the initializer family (_family.py) calls them too.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Optional, Union

import numpy as np

from . import _core, _seeding, _truncated
from ._checks import (
    UINT64_LIMIT,
    check_fan,
    check_finite,
    check_float_array,
    check_gain,
    check_integer,
    check_positive,
    check_real,
    check_threads,
    check_uint32_array,
    check_uint64,
)
from ._dtypes import (
    check_parameter_fits,
    check_truncation_fits,
    dtype_name,
    half_limit,
    inward_bounds,
    is_half,
)
from ._fans import compute_fans
from ._placement import WHOLE, Placement, placement_of

# Re-exported for the reference module, which shares these checks and constants.
__reexported__ = (check_parameter_fits, check_threads, dtype_name, placement_of)

__all__ = ["uniform_", "normal_", "trunc_normal_", "bits_"]

# Codes of csrc/kernel.hpp's Distribution.
_BITS = 0
_UNIFORM = 1
_NORMAL = 2
_TRUNCATED_NORMAL = 3

Stream = Union[int, str]


@dataclass(frozen=True)
class FillKey:
    """Checked seed, stream and thread count of one fill."""

    seed: int
    stream: int
    threads: int


def stream_of_name(name: str) -> int:
    """Return the stream of a parameter name: the first 8 bytes of the SHA-256 digest
    of its UTF-8 encoding, read as a little-endian integer.

    Raises
    ------
    TypeError
        If `name` is not a str.
    ValueError
        If `name` cannot be encoded as UTF-8 (it contains a lone surrogate).
    """
    if not isinstance(name, str):
        raise TypeError(f"name={name!r} has type {type(name).__name__}; expected a str")
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(
            f"stream name {name!r} is invalid: {error.reason} at position "
            f"{error.start}; expected text that UTF-8 can encode"
        ) from None
    digest = hashlib.sha256(encoded).digest()
    return int.from_bytes(digest[:8], "little")


def check_stream(stream: object) -> int:
    if isinstance(stream, str):
        return stream_of_name(stream)
    return check_uint64(stream, "stream")


def resolve_key(seed: object, stream: object, threads: object = None) -> FillKey:
    """Return the key of a call; seed=None takes the default seed's next stream."""
    threads = check_threads(threads)
    if seed is None:
        if threads == 0:
            # Raises now, not in the core after a stream was taken, if
            # FASTXAVIER_NUM_THREADS is invalid.
            _core.get_num_threads()
        if check_stream(stream) != 0:
            raise ValueError(
                f"stream={stream!r} needs an explicit seed: with seed=None the default "
                "generator chooses the stream; pass seed=... or leave stream at 0"
            )
        seed, stream = _seeding.next_default_key()
        return FillKey(seed, stream, threads)
    return FillKey(check_uint64(seed, "seed"), check_stream(stream), threads)


def xavier_bound(gain: float, fan_in: int, fan_out: int) -> float:
    """Return a = gain * sqrt(6 / (fan_in + fan_out)), the uniform's half-width."""
    return gain * math.sqrt(6.0 / (fan_in + fan_out))


def xavier_std(gain: float, fan_in: int, fan_out: int) -> float:
    """Return std = gain * sqrt(2 / (fan_in + fan_out))."""
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


def resolve_fans(shape, fan_in, fan_out) -> tuple[int, int]:
    """Return explicit fans, filling an omitted one from the shape (PyTorch's rule)."""
    fan_in = None if fan_in is None else check_fan(fan_in, "fan_in")
    fan_out = None if fan_out is None else check_fan(fan_out, "fan_out")
    if fan_in is None or fan_out is None:
        shape_fan_in, shape_fan_out = compute_fans(shape)
        fan_in = shape_fan_in if fan_in is None else fan_in
        fan_out = shape_fan_out if fan_out is None else fan_out
    return fan_in, fan_out


# ---- the three fills every initializer uses ------------------------------------------


def _run(
    array, distribution, key: FillKey, placement: Placement, **params
) -> np.ndarray:
    if array.size == 0:
        return array
    _core.fill(
        array,
        distribution,
        key.seed,
        key.stream,
        key.threads,
        first=placement.first,
        index_strides=placement.index_strides,
        **params,
    )
    return array


def fill_uniform(array, bound: float, key: FillKey, placement: Placement = WHOLE):
    """Fill with U(-bound, bound), every value strictly inside (arguments checked)."""
    limit = half_limit(array.dtype, bound) if is_half(array.dtype) else 0
    return _run(array, _UNIFORM, key, placement, param=bound, half_limit=limit)


def fill_normal(
    array, std: float, key: FillKey, placement: Placement = WHOLE, mean: float = 0.0
):
    """Fill with N(mean, std^2) by Box-Muller (arguments checked)."""
    return _run(array, _NORMAL, key, placement, param=std, mean=mean)


def truncation_constants(dtype, mean: float, std: float, lower: float, upper: float):
    """Return (Phi(alpha), Q(beta), span, lowest, highest) of a truncated normal."""
    check_truncation_fits(dtype, mean, std, lower, upper)
    alpha = (lower - mean) / std
    beta = (upper - mean) / std
    p_low, q_high, span = _truncated.window(alpha, beta)
    lowest, highest = inward_bounds(dtype, lower, upper)
    if lowest > highest:
        raise ValueError(
            f"no {dtype} value lies in [a, b] = [{lower!r}, {upper!r}]; widen the "
            "interval or use a wider dtype"
        )
    return p_low, q_high, span, lowest, highest


def fill_truncated_normal(
    array,
    mean: float,
    std: float,
    lower: float,
    upper: float,
    key: FillKey,
    placement: Placement = WHOLE,
):
    """Fill with N(mean, std^2) restricted to [lower, upper] (arguments checked)."""
    truncation = truncation_constants(array.dtype, mean, std, lower, upper)
    return _run_truncated(array, mean, std, truncation, key, placement)


def _run_truncated(array, mean, std, truncation, key, placement):
    return _run(
        array,
        _TRUNCATED_NORMAL,
        key,
        placement,
        param=std,
        mean=mean,
        truncation=truncation,
    )


# ---- Xavier uniform and normal -------------------------------------------------------


@dataclass(frozen=True)
class XavierCall:
    """Checked arguments of one Xavier fill."""

    fan_in: int
    fan_out: int
    gain: float
    param: float  # the bound of a uniform, the std of a normal
    key: FillKey
    placement: Placement


def prepare_xavier(
    array,
    fan_in,
    fan_out,
    gain,
    seed,
    stream,
    threads,
    global_shape=None,
    index=None,
    distribution=_UNIFORM,
) -> Optional[XavierCall]:
    """Check every argument of a Xavier fill; return None for an empty array.

    The stream of a seedless call is drawn last, so a call that raises takes none.
    """
    check_float_array(array)
    gain = check_gain(gain)
    placement = placement_of(array, global_shape, index)
    fan_in = None if fan_in is None else check_fan(fan_in, "fan_in")
    fan_out = None if fan_out is None else check_fan(fan_out, "fan_out")
    if array.size == 0:
        check_threads(threads)
        if seed is not None:
            check_uint64(seed, "seed")
            check_stream(stream)
        return None
    fan_shape = placement.fan_shape if placement.fan_shape is not None else array.shape
    fan_in, fan_out = resolve_fans(fan_shape, fan_in, fan_out)
    if distribution == _UNIFORM:
        param = xavier_bound(gain, fan_in, fan_out)
        check_parameter_fits(array.dtype, "uniform", param)
    else:
        param = xavier_std(gain, fan_in, fan_out)
        check_parameter_fits(array.dtype, "normal", param)
    key = resolve_key(seed, stream, threads)
    return XavierCall(fan_in, fan_out, gain, param, key, placement)


def xavier_fill_checked(
    array,
    fan_in,
    fan_out,
    gain,
    seed,
    stream,
    threads,
    distribution,
    global_shape=None,
    index=None,
):
    """Check every argument, then fill: the path of calls the C++ fast path declines."""
    call = prepare_xavier(
        array,
        fan_in,
        fan_out,
        gain,
        seed,
        stream,
        threads,
        global_shape,
        index,
        distribution,
    )
    if call is None:
        return array
    if distribution == _UNIFORM:
        return fill_uniform(array, call.param, call.key, call.placement)
    return fill_normal(array, call.param, call.key, call.placement)


def uniform_(
    array: np.ndarray,
    fan_in: Optional[int] = None,
    fan_out: Optional[int] = None,
    *,
    gain: float = 1.0,
    seed: Optional[int] = None,
    stream: Stream = 0,
    threads: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index=None,
) -> np.ndarray:
    """Fill `array` in place with Xavier/Glorot uniform values and return it.

    Values are drawn from U(-a, a), every one strictly inside, with
    a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot and Bengio, "Understanding the
    difficulty of training deep feedforward neural networks", AISTATS 2010).

    Parameters
    ----------
    array : numpy.ndarray
        Writable float16, bfloat16 (ml_dtypes), float32 or float64 array in native byte
        order, of any layout (C or F order, strided, negative strides, unaligned,
        memory-mapped). Written in place; element ``i`` in C order gets element ``i``
        of the stream.
    fan_in, fan_out : int, optional
        Fans, each >= 1. An omitted fan comes from the shape with PyTorch's rule
        (:func:`compute_fans`), which needs at least 2 dimensions.
    gain : float, default 1.0
        Finite, >= 0; see :func:`calculate_gain`.
    seed : int, optional
        Philox key, in [0, 2**64). None draws the next stream of the default seed
        (:func:`manual_seed`), and then `stream` must stay 0.
    stream : int or str, default 0
        Stream of the seed, in [0, 2**64), or a name (hashed to a stream with
        :func:`stream_of_name`): independent sequences for one seed.
    threads : int, optional
        Threads for this call (>= 1); None uses :func:`get_num_threads`. The values do
        not depend on it.
    global_shape : tuple of int, optional
        Shape of a full array of which `array` is the part at `index`: the fill writes
        exactly the values a fill of the full array would hold there, and omitted fans
        come from `global_shape`.
    index : slice, int or tuple of them, optional
        Position of `array` in the full array, as NumPy basic indexing would select it
        (``full[index]`` has the shape of `array`). Needs `global_shape`.

    Returns
    -------
    numpy.ndarray
        `array` itself.

    Raises
    ------
    TypeError
        If `array` is not an ndarray of a floating dtype above, or an argument has the
        wrong type.
    ValueError
        If `array` is read-only or byte-swapped, a fan is below 1, or `gain` is
        negative or not finite. If `seed` or `stream` is outside [0, 2**64), or
        `threads` outside [1, 4096]. If fans are omitted for fewer than 2 dimensions,
        or `index` does not select the shape of `array` from `global_shape`. If the
        bound or std is too large or too small (but not 0) for the dtype. The array
        is not modified.

    Examples
    --------
    >>> import numpy as np, fastxavier
    >>> w = np.empty((512, 256), dtype=np.float32)
    >>> fastxavier.uniform_(w, seed=42) is w
    True
    """
    # The fast path is written out in both functions: a shared helper would add about
    # 0.3 us to every call.
    if global_shape is None and index is None:
        return _core.xavier_fill(
            array, fan_in, fan_out, gain, seed, stream, threads, _UNIFORM
        )
    args = (array, fan_in, fan_out, gain, seed, stream, threads)
    return xavier_fill_checked(*args, _UNIFORM, global_shape, index)


def normal_(
    array: np.ndarray,
    fan_in: Optional[int] = None,
    fan_out: Optional[int] = None,
    *,
    gain: float = 1.0,
    seed: Optional[int] = None,
    stream: Stream = 0,
    threads: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index=None,
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
    # The fast path is written out in both functions: a shared helper would add about
    # 0.3 us to every call.
    if global_shape is None and index is None:
        return _core.xavier_fill(
            array, fan_in, fan_out, gain, seed, stream, threads, _NORMAL
        )
    args = (array, fan_in, fan_out, gain, seed, stream, threads)
    return xavier_fill_checked(*args, _NORMAL, global_shape, index)


# ---- truncated normal ----------------------------------------------------------------


def check_truncation(mean, std, a, b) -> tuple[float, float, float, float]:
    """Return checked (mean, std, a, b) of a truncated normal."""
    mean = check_finite(mean, "mean")
    std = check_positive(std, "std")
    a = check_real(a, "a")
    b = check_real(b, "b")
    if math.isnan(a) or math.isnan(b) or not a < b:
        raise ValueError(f"a={a!r} and b={b!r} are invalid; expected a < b")
    return mean, std, a, b


def trunc_normal_(
    array: np.ndarray,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    *,
    seed: Optional[int] = None,
    stream: Stream = 0,
    threads: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index=None,
) -> np.ndarray:
    """Fill `array` in place with a normal N(mean, std^2) truncated to [a, b].

    As ``torch.nn.init.trunc_normal_``: `a` and `b` are absolute bounds, not multiples
    of `std`. Each element inverts the normal CDF at a uniform restricted to the
    interval (one Philox word per element, two for float64). So every value is finite
    and inside [a, b]. The distribution keeps its shape even when std is tiny beside
    the interval, or when the interval is a far tail on either side (up to about 37
    standard deviations out).

    Parameters
    ----------
    array : numpy.ndarray
        As in :func:`uniform_`.
    mean : float, default 0.0
        Finite.
    std : float, default 1.0
        Finite, > 0.
    a, b : float, default -2.0 and 2.0
        Bounds with a < b; either may be infinite.
    seed, stream, threads, global_shape, index
        As in :func:`uniform_`.

    Returns
    -------
    numpy.ndarray
        `array` itself.

    Raises
    ------
    TypeError, ValueError
        As in :func:`uniform_`. Also ValueError if a >= b or std <= 0, if the values
        would not fit the dtype, or if the interval has too little probability for
        float64 (both ends more than about 37 standard deviations out on one side).
    """
    check_float_array(array)
    mean, std, a, b = check_truncation(mean, std, a, b)
    placement = placement_of(array, global_shape, index)
    if array.size == 0:
        check_threads(threads)
        return array
    truncation = truncation_constants(array.dtype, mean, std, a, b)
    key = resolve_key(seed, stream, threads)  # last: a call that raises takes no stream
    return _run_truncated(array, mean, std, truncation, key, placement)


# ---- raw words -----------------------------------------------------------------------


@dataclass(frozen=True)
class BitsCall:
    seed: int
    stream: int
    start: int
    threads: int


def prepare_bits(array, seed, stream, start, threads) -> BitsCall:
    check_uint32_array(array)
    seed = check_uint64(seed, "seed")
    stream = check_stream(stream)
    start = check_integer(start, "start")
    threads = check_threads(threads)
    limit = 4 * UINT64_LIMIT  # 2^64 blocks of 4 words
    if start < 0 or start + array.size > limit:
        raise ValueError(
            f"start={start} is out of range for {array.size} words; expected "
            f"0 <= start and start + array.size <= 2**66, the length of a stream"
        )
    return BitsCall(seed, stream, start, threads)


def bits_(
    array: np.ndarray,
    *,
    seed: int,
    stream: Stream = 0,
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
    stream : int or str, default 0
        In [0, 2**64), or a name hashed with :func:`stream_of_name`.
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
    _core.fill(
        array,
        _BITS,
        call.seed,
        call.stream,
        call.threads,
        first=first,
        block_base=block_base,
    )
    return array
