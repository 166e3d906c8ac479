"""Truncated normal: bounds, shape of the distribution, tails, exactness, errors."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

import fastxavier
from fastxavier import reference

N = 1_000_000

INTERVALS = [
    (0.0, 1.0, -2.0, 2.0),
    (0.0, 0.001, -2.0, 2.0),  # std tiny beside the interval
    (0.0, 1.0, 5.0, 100.0),  # one-sided far tail
    (0.0, 1.0, -100.0, -5.0),
    (1.5, 2.0, 1.5, math.inf),  # half-normal above the mean
    (0.0, 1.0, -math.inf, math.inf),
    (-3.0, 0.5, -3.1, -2.9),  # narrow interval around the mean
    (0.0, 1.0, 30.0, 31.0),
]
INTERVAL_IDS = [
    "standard",
    "tiny_std",
    "upper_tail",
    "lower_tail",
    "half_normal",
    "untruncated",
    "narrow",
    "very_far",
]


def truncnorm(mean, std, a, b):
    return stats.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std)


@pytest.mark.parametrize("mean,std,a,b", INTERVALS, ids=INTERVAL_IDS)
def test_values_inside_interval(mean, std, a, b, float_dtype):
    values = fastxavier.trunc_normal_(
        np.empty(N, dtype=float_dtype), mean, std, a, b, seed=1
    )
    assert np.isfinite(values).all()
    assert float(values.min()) >= a
    assert float(values.max()) <= b


@pytest.mark.parametrize("mean,std,a,b", INTERVALS, ids=INTERVAL_IDS)
def test_kolmogorov_smirnov(mean, std, a, b):
    values = fastxavier.trunc_normal_(np.empty(N), mean, std, a, b, seed=2)
    result = stats.kstest(values, truncnorm(mean, std, a, b).cdf)
    assert result.pvalue > 1e-6


@pytest.mark.parametrize("mean,std,a,b", INTERVALS, ids=INTERVAL_IDS)
def test_mean_and_std(mean, std, a, b, float_dtype):
    values = fastxavier.trunc_normal_(
        np.empty(N, dtype=float_dtype), mean, std, a, b, seed=3
    ).astype(np.float64)
    expected = truncnorm(mean, std, a, b)
    # Five standard errors of the mean and of the sample std (normal approximation of
    # the latter, (kurtosis + 2) / 4N, bounded here by 2 / N).
    assert abs(values.mean() - expected.mean()) < 5 * expected.std() / math.sqrt(N)
    assert abs(values.std() - expected.std()) < 5 * expected.std() * math.sqrt(2 / N)


def test_tiny_std_stays_near_mean():
    values = fastxavier.trunc_normal_(
        np.empty(N, dtype=np.float32), 0.0, 0.001, -2, 2, seed=4
    )
    assert float(np.abs(values).max()) < 0.0065
    assert abs(float(values.std()) - 0.001) < 5e-6


def test_far_tail_mean():
    # E[X | X > 5] = phi(5) / Q(5) = 5.18636... for a standard normal.
    values = fastxavier.trunc_normal_(np.empty(N), 0.0, 1.0, 5.0, 100.0, seed=5)
    assert abs(values.mean() - 5.186360) < 1e-3
    assert values.min() >= 5.0


@pytest.mark.parametrize("dtype_name", ["float16", "bfloat16"])
def test_half_precision_std(dtype_name):
    ml_dtypes = pytest.importorskip("ml_dtypes")
    dtype = np.float16 if dtype_name == "float16" else ml_dtypes.bfloat16
    values = fastxavier.trunc_normal_(
        np.empty(N, dtype=dtype), 0.0, 1.0, -2.0, 2.0, seed=6
    ).astype(np.float64)
    assert values.min() >= -2.0
    assert values.max() <= 2.0
    assert abs(values.std() - 0.8796256610342398) < 2e-3


def test_bounds_not_representable_in_half():
    # 2.0001 is not a float16 value: the largest float16 not above it is 2.0.
    values = fastxavier.trunc_normal_(
        np.empty(N, dtype=np.float16), 0.0, 1.0, -2.0001, 2.0001, seed=7
    )
    assert float(values.max()) <= 2.0
    assert float(values.min()) >= -2.0


def test_inverse_cdf_accuracy():
    # Over the whole line the fill is ndtri of the element's uniform.
    v = np.concatenate(
        [np.linspace(1e-6, 1 - 1e-6, 20001), np.geomspace(1e-300, 1e-6, 2000)]
    )
    x = reference.truncated_normal_f64(v, (0.0, 0.0, 1.0, -np.inf, np.inf), 0.0, 1.0)
    exact = special.ndtri(v)
    # Near the median y = 2v - 1 carries an absolute rounding error of about 1e-16,
    # so small results are held to an absolute tolerance, the rest to a relative one.
    error = np.abs(x - exact)
    small = np.abs(exact) < 0.01
    assert error[small].max() < 1e-15
    assert (error[~small] / np.abs(exact[~small])).max() < 1e-13


@settings(max_examples=60, deadline=None)
@given(
    mean=st.floats(-10, 10),
    std=st.floats(1e-3, 10),
    lower=st.floats(-12, 12),
    width=st.floats(1e-3, 30),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**64 - 1),
    threads=st.integers(1, 3),
)
def test_matches_reference(mean, std, lower, width, dtype, seed, threads):
    a = mean + lower * std
    b = a + width * std
    actual = np.empty(3001, dtype=dtype)
    expected = np.empty(3001, dtype=dtype)
    fastxavier.trunc_normal_(actual, mean, std, a, b, seed=seed, threads=threads)
    reference.trunc_normal_(expected, mean, std, a, b, seed=seed)
    assert actual.tobytes() == expected.tobytes(), f"mean={mean} std={std} a={a} b={b}"


def test_paths_match_scalar():
    from _support import run_python

    code = (
        "import hashlib, numpy as np, fastxavier\n"
        "parts = []\n"
        "for mean, std, a, b in ((0, 1, -2, 2), (0, 1, 5, 100), (1, 2, -9, 1.5)):\n"
        "    for dtype in (np.float32, np.float64):\n"
        "        out = np.empty(200_003, dtype=dtype)\n"
        "        fastxavier.trunc_normal_(out, mean, std, a, b, seed=9, threads=2)\n"
        "        parts.append(out.tobytes())\n"
        "print(hashlib.sha256(b''.join(parts)).hexdigest())\n"
    )
    digests = {}
    for isa in fastxavier.supported_isas():
        result = run_python(code, {"FASTXAVIER_ISA": isa})
        assert result.returncode == 0, result.stderr
        digests[isa] = result.stdout.strip()
    assert len(set(digests.values())) == 1, digests


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        ({"a": 2.0, "b": 2.0}, ValueError, "expected a < b"),
        ({"a": 3.0, "b": -3.0}, ValueError, "expected a < b"),
        ({"a": math.nan}, ValueError, "expected a < b"),
        ({"std": 0.0}, ValueError, "std=0.0 is invalid"),
        ({"std": -1.0}, ValueError, "std=-1.0 is invalid"),
        ({"std": math.inf}, ValueError, "std=inf is invalid"),
        ({"mean": math.nan}, ValueError, "mean=nan is invalid"),
        ({"mean": "0"}, TypeError, "mean='0' has type str"),
        ({"a": None}, TypeError, "a=None has type NoneType"),
        ({"a": 40.0, "b": 50.0}, ValueError, "below 1e-290"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    array = np.arange(10, dtype=np.float64)
    before = array.copy()
    with pytest.raises(error, match=match):
        fastxavier.trunc_normal_(array, seed=1, **kwargs)
    assert np.array_equal(array, before)


def test_interval_without_half_value():
    array = np.zeros(10, dtype=np.float16)
    with pytest.raises(ValueError, match="no float16 value lies in"):
        fastxavier.trunc_normal_(array, 1.0, 1.0, 1.0001, 1.0002, seed=1)


@pytest.mark.parametrize(
    "a,b",
    [(-20.0, -19.0), (-31.0, -30.0), (-math.inf, -18.9), (19.0, 20.0), (30.0, 31.0)],
    ids=["lower_19", "lower_30", "lower_open", "upper_19", "upper_30"],
)
def test_deep_tails_both_sides(a, b):
    values = fastxavier.trunc_normal_(np.empty(200_000), 0.0, 1.0, a, b, seed=8)
    # No pile-up on a bound, and the shape of the tail is right.
    assert (values == b).mean() < 1e-4
    assert (values == a).mean() < 1e-4
    assert stats.kstest(values, stats.truncnorm(a, b).cdf).pvalue > 1e-6


@pytest.mark.parametrize(
    "dtype,kwargs,match",
    [
        (np.float16, {"std": 1e6, "a": -2e6, "b": 2e6}, "reach beyond float16"),
        (np.float32, {"std": 1e300, "a": -math.inf, "b": math.inf}, "reach beyond"),
        (np.float32, {"std": 1e-300, "a": -1.0, "b": 1.0}, "too small for float32"),
    ],
)
def test_std_that_does_not_fit_dtype(dtype, kwargs, match):
    array = np.arange(16, dtype=dtype)
    before = array.copy()
    with pytest.raises(ValueError, match=match):
        fastxavier.trunc_normal_(array, 0.0, seed=1, **kwargs)
    assert np.array_equal(array, before)
