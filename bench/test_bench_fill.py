"""pytest-benchmark timings of fastxavier fills, with ndarray.fill as the reference.

Every (dtype, size) pair is one benchmark group, which contains the fastxavier rows
and an ``ndarray.fill`` row of the same buffer. The project's pytest configuration
disables timing, so ``pytest bench`` runs each case once as a smoke test, and
``pytest bench --benchmark-enable`` times them.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import fastxavier

GIB = 2**30
ALL_THREADS = fastxavier.get_num_threads()

# Element counts. None stands for 1 GiB, whose element count depends on the dtype.
ELEMENT_COUNTS = (256, 2**16, 2**22, None)


def buffer_params() -> list:
    params = []
    for dtype, count in itertools.product(("float32", "float64"), ELEMENT_COUNTS):
        if count is None:
            mark = [pytest.mark.huge]
            size_id = "1GiB"
            count = GIB // np.dtype(dtype).itemsize
        else:
            mark = []
            size_id = f"n{count}"
        params.append(pytest.param((dtype, count), marks=mark, id=f"{dtype}-{size_id}"))
    return params


@pytest.fixture(scope="module", params=buffer_params())
def buffer(request: pytest.FixtureRequest) -> np.ndarray:
    """Return a pre-faulted 2-D buffer, shared by every test of its (dtype, size)."""
    dtype, count = request.param
    columns = math.gcd(count, 1024)
    array = np.empty((count // columns, columns), dtype=dtype)
    array.fill(0)
    return array


def group_name(array: np.ndarray) -> str:
    return f"{array.dtype} {array.nbytes} B"


def test_ndarray_fill(benchmark, buffer: np.ndarray) -> None:
    benchmark.group = group_name(buffer)
    benchmark(buffer.fill, 0.5)
    assert buffer.flat[-1] == 0.5


@pytest.mark.parametrize("threads", [1, ALL_THREADS], ids=["threads-1", "threads-all"])
@pytest.mark.parametrize("distribution", ["uniform", "normal"])
def test_fastxavier_fill(
    benchmark, buffer: np.ndarray, distribution: str, threads: int
) -> None:
    benchmark.group = group_name(buffer)
    fill = getattr(fastxavier, f"{distribution}_")
    result = benchmark(fill, buffer, seed=1, threads=threads)
    assert result is buffer
    assert np.isfinite(buffer.flat[-1])
