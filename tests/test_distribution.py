"""Statistics of the fills, with tolerances stated per test.

Every test uses a fixed seed, so each result is deterministic. The tolerances are
chosen so that a correct generator fails with probability below about 1e-6, and a
wrong scale, offset or shape of the distribution fails for certain.
"""

import math

import numpy as np
import pytest
from scipy import stats

import fastxavier

N = 1_000_000
Z = 5.0  # standard errors allowed for means and variances (two-sided p < 6e-7)


@pytest.mark.parametrize("fans", [(1, 1), (3, 3), (256, 512), (4096, 4096)])
def test_uniform_strictly_inside_bound(fans, float_dtype):
    values = fastxavier.uniform_(np.empty(N, dtype=float_dtype), *fans, seed=1)
    bound = math.sqrt(6.0 / sum(fans))
    rounded_bound = float(float_dtype.type(bound))
    assert float(values.max()) < rounded_bound
    assert float(values.min()) > -rounded_bound


@pytest.mark.parametrize("gain", [1e-20, 0.5, 1.0, 7.0, 1e20])
def test_uniform_bound_scales_with_gain(gain):
    values = fastxavier.uniform_(np.empty(N, dtype=np.float32), 5, 7, gain=gain, seed=2)
    bound = float(np.float32(gain * math.sqrt(6.0 / 12)))
    assert float(np.abs(values).max()) < bound
    assert float(np.abs(values).max()) > 0.999 * bound


def test_uniform_symmetric_levels():
    # Each float32 level j * scale with odd j appears as often as -j * scale.
    values = fastxavier.uniform_(np.empty(N, dtype=np.float32), 3, 3, seed=3)
    assert not np.any(values == 0)
    assert abs(int((values > 0).sum()) - N // 2) < Z * math.sqrt(N) / 2


def test_uniform_moments(float_dtype):
    values = fastxavier.uniform_(np.empty(N, dtype=float_dtype), 100, 200, seed=4)
    bound = math.sqrt(6.0 / 300)
    sample = values.astype(np.float64)
    variance = bound**2 / 3
    assert abs(sample.mean()) < Z * math.sqrt(variance / N)
    # Var of the sample variance of U(-a, a): (a^4/5 - a^4/9) / N.
    variance_error = math.sqrt((bound**4 / 5 - bound**4 / 9) / N)
    assert abs(sample.var() - variance) < Z * variance_error


def test_uniform_kolmogorov_smirnov(float_dtype):
    values = fastxavier.uniform_(np.empty(N, dtype=float_dtype), 10, 14, seed=5)
    bound = math.sqrt(6.0 / 24)
    result = stats.kstest(
        values.astype(np.float64), stats.uniform(-bound, 2 * bound).cdf
    )
    assert result.pvalue > 1e-6


def test_normal_moments(float_dtype):
    values = fastxavier.normal_(np.empty(N, dtype=float_dtype), 100, 200, seed=6)
    std = math.sqrt(2.0 / 300)
    sample = values.astype(np.float64)
    assert abs(sample.mean()) < Z * std / math.sqrt(N)
    # Var of the sample variance of N(0, s^2): 2 s^4 / N.
    assert abs(sample.var() - std**2) < Z * math.sqrt(2 * std**4 / N)


def test_normal_kolmogorov_smirnov(float_dtype):
    values = fastxavier.normal_(np.empty(N, dtype=float_dtype), 1, 1, seed=7)
    result = stats.kstest(values.astype(np.float64), stats.norm(0, 1).cdf)
    assert result.pvalue > 1e-6


def test_normal_pairs_are_independent(float_dtype):
    # Box-Muller pairs share u1 and u2: their correlation must still vanish.
    values = fastxavier.normal_(np.empty(N, dtype=float_dtype), 1, 1, seed=8)
    even = values[0::2].astype(np.float64)
    odd = values[1::2].astype(np.float64)
    correlation = np.corrcoef(even, odd)[0, 1]
    assert abs(correlation) < Z / math.sqrt(N / 2)
    squares = np.corrcoef(even**2, odd**2)[0, 1]
    assert abs(squares) < Z / math.sqrt(N / 2) * 2


def test_normal_tails(float_dtype):
    # P(|x| > 4 sigma) = 6.334e-5; 4e6 samples expect about 253 such values.
    values = fastxavier.normal_(np.empty(4 * N, dtype=float_dtype), 1, 1, seed=9)
    assert np.isfinite(values).all()
    expected = 4 * N * 6.334e-5
    count = int((np.abs(values) > 4.0).sum())
    assert abs(count - expected) < Z * math.sqrt(expected)


def test_normal_extreme_radius_finite():
    # The word 0 gives the smallest u1, 2^-33, and the largest radius, about 6.76.
    from fastxavier import reference

    words = np.array([0, 0, 0xFFFFFFFF, 0xFFFFFFFF], dtype=np.uint32)
    first, second = reference.normal_pair_f32(words[0:2:2], words[1:2:2], 1.0)
    radius = math.hypot(float(first[0]), float(second[0]))
    assert 6.7 < radius < 6.8
    largest, _ = reference.normal_pair_f32(words[2:3], words[3:4], 1.0)
    assert math.isfinite(float(largest[0]))


def test_gain_zero_gives_zeros(float_dtype):
    out = fastxavier.uniform_(np.ones(100, dtype=float_dtype), 3, 3, gain=0.0, seed=1)
    assert not np.any(out)


def test_streams_are_uncorrelated():
    a = fastxavier.normal_(np.empty(N, dtype=np.float64), 1, 1, seed=10, stream=0)
    b = fastxavier.normal_(np.empty(N, dtype=np.float64), 1, 1, seed=10, stream=1)
    assert abs(np.corrcoef(a, b)[0, 1]) < Z / math.sqrt(N)
