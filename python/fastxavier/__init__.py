"""fastxavier: fill NumPy arrays in place with Xavier/Glorot initial weights.

Every value is a pure function of (seed, stream, element index): the result does not
depend on thread count, SIMD width, memory layout or machine. See ``docs/stream.md``.
"""

from __future__ import annotations

from . import _core
from ._api import bits_, normal_, stream_of_name, trunc_normal_, uniform_
from ._checks import check_thread_count
from ._family import (
    glorot_normal,
    glorot_normal_,
    glorot_uniform,
    glorot_uniform_,
    he_normal,
    he_normal_,
    he_uniform,
    he_uniform_,
    kaiming_normal_,
    kaiming_uniform_,
    lecun_normal,
    lecun_normal_,
    lecun_uniform,
    lecun_uniform_,
    variance_scaling,
    variance_scaling_,
)
from ._fans import calculate_gain, compute_fans
from ._generator import Generator
from ._seeding import default_generator, initial_seed, manual_seed

__version__ = "0.1.0"

__all__ = [
    "uniform_",
    "normal_",
    "trunc_normal_",
    "bits_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "variance_scaling_",
    "he_uniform_",
    "he_normal_",
    "lecun_uniform_",
    "lecun_normal_",
    "glorot_uniform_",
    "glorot_normal_",
    "variance_scaling",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
    "glorot_uniform",
    "glorot_normal",
    "Generator",
    "default_generator",
    "stream_of_name",
    "calculate_gain",
    "compute_fans",
    "manual_seed",
    "initial_seed",
    "isa",
    "supported_isas",
    "get_num_threads",
    "set_num_threads",
]


def isa() -> str:
    """Return the instruction-set path in use: ``"scalar"``, ``"avx2"``, ``"avx512"`` or
    ``"neon"``.

    The widest path the CPU supports is chosen at the first fill; the environment
    variable ``FASTXAVIER_ISA`` forces one (RuntimeError if the CPU lacks it). Every
    path writes the same values.
    """
    return _core.isa()


def supported_isas() -> list[str]:
    """Return the instruction-set paths this CPU can run, narrowest first."""
    return list(_core.supported_isas())


def get_num_threads() -> int:
    """Return the number of threads a fill uses when its call does not pass threads=.

    Set by :func:`set_num_threads`, else by the environment variable
    ``FASTXAVIER_NUM_THREADS``, else the number of CPUs in this process's affinity mask.
    """
    return _core.get_num_threads()


def set_num_threads(threads: int) -> None:
    """Set the default number of threads of later fills (an integer >= 1)."""
    _core.set_num_threads(check_thread_count(threads))


# Fail at import, with the message of the dispatcher, if FASTXAVIER_ISA is invalid.
isa()
