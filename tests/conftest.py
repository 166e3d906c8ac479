import os
import subprocess
import sys

import numpy as np
import pytest

import fastxavier

SENTINEL = {np.float32: np.float32(np.nan), np.float64: np.float64(np.nan)}


def sentinel_array(shape, dtype, order="C"):
    """Return an array pre-filled with NaN, so an element the fill skipped shows."""
    array = np.empty(shape, dtype=dtype, order=order)
    array.fill(np.nan)
    return array


def run_python(code: str, env_update: dict) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(env_update)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )


@pytest.fixture(params=["float32", "float64"])
def float_dtype(request):
    return np.dtype(request.param)


@pytest.fixture(autouse=True)
def _restore_threads():
    threads = fastxavier.get_num_threads()
    yield
    fastxavier.set_num_threads(threads)
