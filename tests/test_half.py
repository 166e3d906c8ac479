"""float16 and bfloat16 output: rounding, bounds, tails, every path."""

import math

import numpy as np
import pytest

import fastxavier
from fastxavier import reference

ml_dtypes = pytest.importorskip("ml_dtypes")
HALF_DTYPES = [np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16)]
HALF_IDS = ["float16", "bfloat16"]


@pytest.fixture(params=HALF_DTYPES, ids=HALF_IDS)
def half(request):
    return request.param


def float32_twin(fill, shape, **kwargs):
    """Return the float32 fill of the same stream, for comparison with a half fill."""
    return getattr(fastxavier, fill)(np.empty(shape, dtype=np.float32), **kwargs)


@pytest.mark.parametrize("fill", ["uniform_", "normal_"])
def test_half_is_rounded_float32(fill, half):
    # Away from the bound, a half value is the float32 value of the same element
    # rounded to nearest-even, which NumPy and ml_dtypes also compute.
    kwargs = {"fan_in": 300, "fan_out": 500, "seed": 12, "stream": 4}
    values = getattr(fastxavier, fill)(np.empty(100_000, dtype=half), **kwargs)
    twin = float32_twin(fill, 100_000, **kwargs)
    expected = twin.astype(half)
    bound = math.sqrt(6.0 / 800)
    inside = np.abs(expected.astype(np.float64)) < bound
    assert np.array_equal(
        values.view(np.uint16)[inside], expected.view(np.uint16)[inside]
    )


@pytest.mark.parametrize("fans", [(1, 1), (3, 3), (2, 7), (1000, 3000), (10**6, 10**6)])
def test_half_uniform_strictly_inside(fans, half):
    values = fastxavier.uniform_(np.empty(10**7, dtype=half), *fans, seed=3)
    bound = math.sqrt(6.0 / sum(fans))
    magnitudes = np.abs(values.astype(np.float64))
    assert magnitudes.max() < bound


@pytest.mark.parametrize("gain", [1e-3, 0.37, 2.0, 100.0])
def test_half_uniform_bound_with_gain(gain, half):
    values = fastxavier.uniform_(np.empty(10**6, dtype=half), 1, 2, gain=gain, seed=4)
    bound = gain * math.sqrt(2.0)
    assert np.abs(values.astype(np.float64)).max() < bound


def test_float16_reaches_largest_value_below_bound():
    # Bound 1: values rounding to +-1.0 step to the largest half below 1.
    values = fastxavier.uniform_(np.empty(10**7, dtype=np.float16), 3, 3, seed=5)
    largest = float(np.nextafter(np.float16(1.0), np.float16(0.0)))
    assert float(values.max()) == largest
    assert float(values.min()) == -largest


def test_float16_subnormals_round_correctly():
    # A bound of 2^-14 puts most values among the float16 subnormals.
    bound = 2.0**-14
    fans = (3, 3)
    gain = bound  # bound = gain * sqrt(6 / 6)
    halves = fastxavier.uniform_(
        np.empty(200_000, dtype=np.float16), *fans, gain=gain, seed=6
    )
    twin = fastxavier.uniform_(
        np.empty(200_000, dtype=np.float32), *fans, gain=gain, seed=6
    )
    expected = twin.astype(np.float16)
    inside = np.abs(expected.astype(np.float64)) < bound
    assert np.count_nonzero(np.abs(halves) < np.float16(2.0**-14)) > 100_000
    assert np.array_equal(
        halves.view(np.uint16)[inside], expected.view(np.uint16)[inside]
    )


def test_half_normal_tails(half):
    # P(|x| > 4) = 6.334e-5: 10^7 samples expect 633, tolerance 5 standard errors.
    values = fastxavier.normal_(np.empty(10**7, dtype=half), 1, 1, seed=7)
    sample = values.astype(np.float64)
    assert np.isfinite(sample).all()
    expected = 10**7 * 6.334e-5
    count = int((np.abs(sample) > 4.0).sum())
    assert abs(count - expected) < 5 * math.sqrt(expected)
    assert abs(sample.std() - 1.0) < 0.002


@pytest.mark.parametrize("fill", ["uniform_", "normal_", "trunc_normal_"])
@pytest.mark.parametrize("threads", [1, 3], ids=["threads=1", "threads=3"])
def test_half_matches_reference(fill, threads, half):
    actual = np.empty((211, 37), dtype=half)
    expected = np.empty((211, 37), dtype=half)
    getattr(fastxavier, fill)(actual, seed=8, stream=1, threads=threads)
    getattr(reference, fill)(expected, seed=8, stream=1)
    assert actual.tobytes() == expected.tobytes()


@pytest.mark.parametrize("fill", ["uniform_", "normal_"])
def test_half_strided_view(fill, half):
    base = np.zeros((64, 90), dtype=half)
    view = base[::2, ::-3]
    getattr(fastxavier, fill)(view, 7, 9, seed=9)
    expected = getattr(reference, fill)(np.empty(view.shape, dtype=half), 7, 9, seed=9)
    assert np.ascontiguousarray(view).tobytes() == expected.tobytes()
    untouched = np.ones(base.shape, dtype=bool)
    untouched[::2, ::-3] = False
    assert not base.view(np.uint16)[untouched].any()


def test_half_paths_match_scalar(half):
    from _support import run_python

    code = (
        "import hashlib, numpy as np, ml_dtypes, fastxavier\n"
        f"dtype = np.dtype({half.name!r}) if {half.name!r} == 'float16' "
        "else np.dtype(ml_dtypes.bfloat16)\n"
        "parts = []\n"
        "for fill in (fastxavier.uniform_, fastxavier.normal_):\n"
        "    out = fill(np.empty(300_001, dtype=dtype), 5, 9, seed=3)\n"
        "    parts.append(out.tobytes())\n"
        "out = fastxavier.trunc_normal_(np.empty(300_001, dtype), seed=3)\n"
        "parts.append(out.tobytes())\n"
        "print(hashlib.sha256(b''.join(parts)).hexdigest())\n"
    )
    digests = set()
    for isa in fastxavier.supported_isas():
        result = run_python(code, {"FASTXAVIER_ISA": isa})
        assert result.returncode == 0, result.stderr
        digests.add(result.stdout.strip())
    assert len(digests) == 1
