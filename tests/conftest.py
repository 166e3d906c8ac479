import numpy as np
import pytest

import fastxavier


@pytest.fixture(params=["float32", "float64"])
def float_dtype(request):
    return np.dtype(request.param)


@pytest.fixture(autouse=True)
def _restore_threads():
    threads = fastxavier.get_num_threads()
    yield
    fastxavier.set_num_threads(threads)
