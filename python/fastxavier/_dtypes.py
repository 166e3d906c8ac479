"""Floating dtypes of the fills and the values each can represent.

float16 and bfloat16 values are the float32 value of the same element rounded to
nearest-even. bfloat16 arrays come from the optional ml_dtypes package; this module
never imports it, it recognizes the dtype by name.
"""

from __future__ import annotations

import math

import numpy as np

FLOAT_DTYPE_NAMES = ("float16", "bfloat16", "float32", "float64")


def dtype_name(dtype: np.dtype) -> str:
    """Return the dtype's name in native byte order, e.g. "float32" or "bfloat16"."""
    return dtype.newbyteorder("=").name


def is_half(dtype: np.dtype) -> bool:
    return dtype_name(dtype) in ("float16", "bfloat16")


def _bfloat16_bits_up(value: float) -> int:
    """Return the bits of the smallest bfloat16 >= value, for finite value >= 0."""
    single = np.float32(value)
    if float(single) < value:
        single = np.nextafter(single, np.float32(np.inf))
    bits = int(np.array(single).view(np.uint32))
    high = bits >> 16
    if (bits & 0xFFFF) != 0:
        high += 1
    return high


def _float16_bits_up(value: float) -> int:
    half = np.float16(value)
    if float(half) < value:
        half = np.nextafter(half, np.float16(np.inf))
    return int(np.array(half).view(np.uint16))


def half_limit(dtype: np.dtype, bound: float) -> int:
    """Return the bits of the smallest positive value of a half dtype at or above bound.

    A uniform value whose magnitude reaches it is moved one step toward zero, so every
    value stays strictly inside (-bound, bound). 0 (no rule) when bound is 0.
    """
    if bound == 0.0:
        return 0
    if dtype_name(dtype) == "float16":
        return _float16_bits_up(bound)
    return _bfloat16_bits_up(bound)


def _from_bits(name: str, bits: int) -> float:
    if name == "float16":
        return float(np.array(bits, dtype=np.uint16).view(np.float16))
    return float(np.array(bits << 16, dtype=np.uint32).view(np.float32))


def _largest_finite(name: str) -> float:
    if name == "bfloat16":
        return _from_bits(name, 0x7F7F)
    return float(np.finfo(name).max)


def _round_up(name: str, value: float) -> float:
    """Return the smallest value of the dtype >= value (value finite)."""
    if name == "float64":
        return value
    if name == "float32":
        single = np.float32(value)
        if float(single) < value:
            single = np.nextafter(single, np.float32(np.inf))
        return float(single)
    sign = math.copysign(1.0, value)
    if sign > 0:
        up = _float16_bits_up if name == "float16" else _bfloat16_bits_up
        return _from_bits(name, up(value))
    return -_round_down(name, -value)


def _round_down(name: str, value: float) -> float:
    """Return the largest value of the dtype <= value (value finite)."""
    if name in ("float64", "float32"):
        if name == "float64":
            return value
        single = np.float32(value)
        if float(single) > value:
            single = np.nextafter(single, np.float32(-np.inf))
        return float(single)
    if value < 0:
        return -_round_up(name, -value)
    up = _float16_bits_up if name == "float16" else _bfloat16_bits_up
    bits = up(value)
    if _from_bits(name, bits) > value:
        bits -= 1
    return _from_bits(name, bits)


def inward_bounds(dtype: np.dtype, lower: float, upper: float) -> tuple[float, float]:
    """Return [lower, upper] shrunk to the nearest finite values of dtype inside it.

    Infinite ends become the dtype's largest finite value, so every value is finite.
    """
    name = dtype_name(dtype)
    largest = _largest_finite(name)
    low = -largest if lower < -largest else _round_up(name, lower)
    high = largest if upper > largest else _round_down(name, upper)
    return low, high


# Box-Muller radii reach sqrt(-2 ln 2^-53) = 8.57 in float64 (6.76 in float32).
MAX_NORMAL_RADIUS = 8.6


def smallest_normal(name: str) -> float:
    """Return the dtype's smallest positive normal number."""
    if name == "bfloat16":
        return float(np.finfo(np.float32).tiny)
    return float(np.finfo(name).tiny)


def check_parameter_fits(dtype: np.dtype, distribution: str, value: float) -> None:
    """Raise ValueError if a bound (uniform) or std (normal) does not suit dtype.

    Too large: values would overflow. Too small (but not 0, which fills zeros): values
    would be subnormal or round to zero.
    """
    name = dtype_name(dtype)
    label = "bound" if distribution == "uniform" else "std"
    largest = _largest_finite(name)
    reach = value if distribution == "uniform" else value * MAX_NORMAL_RADIUS
    if reach > largest:
        raise ValueError(
            f"the {distribution} {label} {value!r} is too large for {name}, whose "
            f"largest value is {largest!r}; lower the gain or use a wider dtype"
        )
    tiny = smallest_normal(name)
    if 0.0 < value < tiny:
        raise ValueError(
            f"the {distribution} {label} {value!r} is too small for {name}, whose "
            f"smallest normal value is {tiny!r}; raise the gain or use a wider dtype"
        )


def check_truncation_fits(
    dtype: np.dtype, mean: float, std: float, lower: float, upper: float
) -> None:
    """Raise ValueError if a truncated normal's values would not fit dtype.

    The values that occur lie within 8.6 std of the mean and inside [lower, upper].
    """
    name = dtype_name(dtype)
    tiny = smallest_normal(name)
    if std < tiny:
        raise ValueError(
            f"std={std!r} is too small for {name}, whose smallest normal value is "
            f"{tiny!r}; use a larger std or a wider dtype"
        )
    largest = _largest_finite(name)
    low = max(lower, mean - MAX_NORMAL_RADIUS * std)
    high = min(upper, mean + MAX_NORMAL_RADIUS * std)
    if low < -largest or high > largest:
        raise ValueError(
            f"values of a normal with mean={mean!r} and std={std!r} in "
            f"[{lower!r}, {upper!r}] reach beyond {name}'s largest value {largest!r}; "
            "use a smaller std, tighter bounds or a wider dtype"
        )
