"""Fan and gain rules against PyTorch's torch.nn.init conventions."""

import math

import numpy as np
import pytest

import fastxavier


@pytest.mark.parametrize(
    "shape,fans",
    [
        ((20, 10), (10, 20)),
        ((64, 32, 3, 3), (288, 576)),
        ((8, 4, 5), (20, 40)),
        ((6, 2, 1, 2, 3), (12, 36)),
        ((0, 5), (5, 0)),
    ],
)
def test_compute_fans(shape, fans):
    assert fastxavier.compute_fans(shape) == fans


@pytest.mark.parametrize("shape", [(), (7,)])
def test_compute_fans_low_rank(shape):
    with pytest.raises(ValueError, match="at least 2"):
        fastxavier.compute_fans(shape)


@pytest.mark.parametrize(
    "name,param,gain",
    [
        ("linear", None, 1),
        ("conv1d", None, 1),
        ("conv2d", None, 1),
        ("conv3d", None, 1),
        ("conv_transpose1d", None, 1),
        ("conv_transpose2d", None, 1),
        ("conv_transpose3d", None, 1),
        ("sigmoid", None, 1),
        ("tanh", None, 5.0 / 3),
        ("relu", None, math.sqrt(2.0)),
        ("leaky_relu", None, math.sqrt(2.0 / (1 + 0.01**2))),
        ("leaky_relu", 0.2, math.sqrt(2.0 / 1.04)),
        ("leaky_relu", 3, math.sqrt(2.0 / 10)),
        ("selu", None, 0.75),
    ],
)
def test_calculate_gain(name, param, gain):
    assert fastxavier.calculate_gain(name, param) == gain


def test_calculate_gain_unknown():
    with pytest.raises(ValueError, match="Unsupported nonlinearity softplus"):
        fastxavier.calculate_gain("softplus")


@pytest.mark.parametrize("param", [True, "0.1", [0.1]])
def test_calculate_gain_bad_slope(param):
    with pytest.raises(ValueError, match="not a valid number"):
        fastxavier.calculate_gain("leaky_relu", param)


def test_explicit_fans_win_over_shape():
    a = fastxavier.uniform_(np.empty((20, 10), dtype=np.float64), 3, 3, seed=1)
    assert np.abs(a).max() < 1.0
    assert np.abs(a).max() > 0.9


def test_one_explicit_fan_other_from_shape():
    a = fastxavier.uniform_(np.empty((20, 10), dtype=np.float64), 30, seed=1)
    b = fastxavier.uniform_(np.empty((20, 10), dtype=np.float64), 30, 20, seed=1)
    assert a.tobytes() == b.tobytes()


def test_fans_from_shape_match_explicit():
    a = fastxavier.normal_(np.empty((64, 32, 3, 3), dtype=np.float32), seed=2)
    b = fastxavier.normal_(np.empty((64, 32, 3, 3), dtype=np.float32), 288, 576, seed=2)
    assert a.tobytes() == b.tobytes()


def test_returns_same_array():
    array = np.empty((4, 4), dtype=np.float32)
    assert fastxavier.uniform_(array, seed=1) is array
    assert fastxavier.normal_(array, seed=1) is array
