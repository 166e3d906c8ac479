"""Argument checks shared by the fills and the reference.

Each check raises in NumPy's manner: the argument's name, the value received and what
is expected; TypeError for a value of the wrong type, ValueError for a value of the
right type that is out of range. Every check runs before anything is written.
"""

from __future__ import annotations

import math
import operator
from numbers import Real

import numpy as np

UINT64_LIMIT = 1 << 64


FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")


def check_float_array(array: object, name: str = "array") -> np.ndarray:
    """Return `array` if it is a writable floating ndarray in native byte order.

    float16, bfloat16 (from ml_dtypes), float32 and float64 are accepted.
    """
    return _check_array(array, name, FLOAT_DTYPES)


def check_uint32_array(array: object, name: str = "array") -> np.ndarray:
    return _check_array(array, name, ("uint32",))


def _check_array(array: object, name: str, expected: tuple[str, ...]) -> np.ndarray:
    if not isinstance(array, np.ndarray):
        raise TypeError(
            f"{name} must be a numpy.ndarray, got {type(array).__name__}; "
            "wrap the data with numpy.asarray first"
        )
    dtype = array.dtype
    if dtype.newbyteorder("=").name not in expected or dtype.fields is not None:
        raise TypeError(f"{name} has dtype {dtype}; expected {', '.join(expected)}")
    if not dtype.isnative:
        raise ValueError(
            f"{name} has non-native byte order (dtype {dtype.str!r}); expected native "
            "byte order: fill an array of the native dtype and byteswap it after"
        )
    if not array.flags.writeable:
        raise ValueError(f"{name} is read-only; expected a writable array")
    return array


def check_uint64(value: object, name: str) -> int:
    """Return `value` as an int in [0, 2^64), the range of seeds and streams."""
    number = check_integer(value, name)
    if not 0 <= number < UINT64_LIMIT:
        raise ValueError(
            f"{name}={number} is out of range; expected an integer in [0, 2**64)"
        )
    return number


def check_integer(value: object, name: str) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}={value!r} is a bool; expected an integer")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(
            f"{name}={value!r} has type {type(value).__name__}; expected an integer"
        ) from None


def check_fan(value: object, name: str) -> int:
    fan = check_integer(value, name)
    if fan < 1:
        raise ValueError(f"{name}={fan} is invalid; expected an integer >= 1")
    return fan


def check_gain(value: object) -> float:
    gain = check_real(value, "gain")
    if not math.isfinite(gain) or gain < 0:
        raise ValueError(f"gain={gain!r} is invalid; expected a finite number >= 0")
    return gain


def check_real(value: object, name: str) -> float:
    """Return a real number as float; TypeError for other types (bool included)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise TypeError(
            f"{name}={value!r} has type {type(value).__name__}; expected a real number"
        )
    return float(value)


def check_finite(value: object, name: str) -> float:
    number = check_real(value, name)
    if not math.isfinite(number):
        raise ValueError(f"{name}={number!r} is invalid; expected a finite number")
    return number


def check_positive(value: object, name: str) -> float:
    number = check_real(value, name)
    if not (math.isfinite(number) and number > 0):
        raise ValueError(f"{name}={number!r} is invalid; expected a finite number > 0")
    return number


# Maximum thread count of one fill, the same as for FASTXAVIER_NUM_THREADS.
MAX_THREADS = 4096


def check_thread_count(value: object) -> int:
    """Return a thread count in [1, MAX_THREADS]."""
    threads = check_integer(value, "threads")
    if not 1 <= threads <= MAX_THREADS:
        raise ValueError(
            f"threads={threads} is invalid; expected an integer from 1 to {MAX_THREADS}"
        )
    return threads


def check_threads(value: object) -> int:
    """Return the thread count for the core: 0 means the default."""
    if value is None:
        return 0
    return check_thread_count(value)
