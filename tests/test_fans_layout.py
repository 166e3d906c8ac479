"""compute_fans under the torch and jax layouts, and fans in the initializer family."""

import math

import numpy as np
import pytest

import fastxavier
from fastxavier import reference


@pytest.mark.parametrize(
    "shape,fans",
    [
        ((20, 10), (10, 20)),
        ((64, 32, 3, 3), (288, 576)),
        ((8, 4, 5), (20, 40)),
        ((0, 5), (5, 0)),
        ((4, 0, 3), (0, 12)),
    ],
)
def test_torch_layout(shape, fans):
    assert fastxavier.compute_fans(shape, "torch") == fans
    assert fastxavier.compute_fans(shape) == fans


@pytest.mark.parametrize(
    "shape,kwargs,fans",
    [
        ((10, 20), {}, (10, 20)),  # dense (in, out)
        ((3, 3, 32, 64), {}, (288, 576)),  # conv (h, w, in, out)
        ((5, 16, 8), {}, (80, 40)),  # conv1d (width, in, out)
        ((64, 32, 3, 3), {"in_axis": 1, "out_axis": 0}, (288, 576)),  # PyTorch order
        ((64, 32, 3, 3), {"in_axis": -3, "out_axis": -4}, (288, 576)),
        ((7, 10, 20), {"batch_axis": 0}, (10, 20)),  # stacked dense kernels
        ((7, 10, 20), {"batch_axis": (0,)}, (10, 20)),
        ((4, 5, 6, 7), {"in_axis": (0, 1), "out_axis": 3}, (120, 42)),
        ((4, 5, 6, 7), {"in_axis": (), "out_axis": 3}, (120, 840)),
        ((0, 5), {}, (0, 5)),
        ((3, 0, 4), {}, (0, 12)),
        ((2, 3, 0), {"batch_axis": 0, "in_axis": 1, "out_axis": 2}, (3, 0)),
    ],
)
def test_jax_layout(shape, kwargs, fans):
    assert fastxavier.compute_fans(shape, "jax", **kwargs) == fans


def test_layouts_agree_on_transposed_kernel():
    torch_shape = (64, 32, 3, 5)  # (out, in, kh, kw)
    jax_shape = (3, 5, 32, 64)  # (kh, kw, in, out)
    assert fastxavier.compute_fans(torch_shape) == fastxavier.compute_fans(
        jax_shape, "jax"
    )


def test_numpy_integer_entries():
    shape = (np.int64(6), np.uint8(4))
    assert fastxavier.compute_fans(shape, "jax", in_axis=np.int32(0)) == (6, 4)


@pytest.mark.parametrize("layout", ["torch", "jax"])
@pytest.mark.parametrize("shape", [(), (7,)])
def test_low_rank_asks_for_fans(layout, shape):
    with pytest.raises(ValueError, match="at least 2; pass fan_in and fan_out"):
        fastxavier.compute_fans(shape, layout)


@pytest.mark.parametrize("layout", ["TORCH", "flax", "", None, 1])
def test_unknown_layout(layout):
    with pytest.raises(ValueError, match="is invalid; expected 'torch' or 'jax'"):
        fastxavier.compute_fans((3, 4), layout)


@pytest.mark.parametrize(
    "kwargs", [{"in_axis": 0}, {"out_axis": 1}, {"batch_axis": 2}, {"batch_axis": (0,)}]
)
def test_axes_rejected_for_torch_layout(kwargs):
    with pytest.raises(ValueError, match="apply to layout='jax' only"):
        fastxavier.compute_fans((3, 4, 5), "torch", **kwargs)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"in_axis": 2}, r"in_axis 2 is out of range .* \[-2, 2\)"),
        ({"out_axis": -3}, "out_axis -3 is out of range"),
        ({"batch_axis": (5,)}, "batch_axis 5 is out of range"),
        ({"in_axis": -1}, "axis -1 is named twice"),
        ({"in_axis": 0, "out_axis": -2}, "named twice"),
        ({"in_axis": (0, 0), "out_axis": 1}, "named twice"),
    ],
)
def test_bad_axes(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fastxavier.compute_fans((3, 4), "jax", **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [{"in_axis": 1.0}, {"out_axis": "1"}, {"batch_axis": [True]}, {"in_axis": None}],
)
def test_axis_wrong_type(kwargs):
    with pytest.raises(TypeError, match="expected"):
        fastxavier.compute_fans((3, 4, 5), "jax", **kwargs)


@pytest.mark.parametrize("shape", [(3, -1), (-2, 4, 5)])
def test_negative_extent(shape):
    with pytest.raises(ValueError, match="negative extent"):
        fastxavier.compute_fans(shape)


@pytest.mark.parametrize("shape", [5, "34", None])
def test_shape_not_a_sequence(shape):
    with pytest.raises(TypeError, match="shape="):
        fastxavier.compute_fans(shape)


# ---- fans in the fills ---------------------------------------------------------------


def uniform_bound_of(fill, array, **kwargs):
    """Return the largest magnitude a uniform fill wrote (close below its bound)."""
    return float(np.abs(fill(array, seed=1, **kwargs)).max())


def test_jax_layout_reads_last_two_axes():
    # he_uniform_ reads fan_in = 2000 under the jax layout (in, out) and 10 under
    # the torch layout (out, in).
    array = np.empty((2000, 10))
    jax_max = uniform_bound_of(fastxavier.he_uniform_, array)
    torch_max = uniform_bound_of(fastxavier.he_uniform_, array, layout="torch")
    assert math.sqrt(6 / 2000) * 0.99 < jax_max < math.sqrt(6 / 2000)
    assert math.sqrt(6 / 10) * 0.99 < torch_max < math.sqrt(6 / 10)


def test_kaiming_uses_torch_layout():
    array = np.empty((10, 2000))  # (out, in)
    bound = math.sqrt(3.0) * (math.sqrt(2.0) / math.sqrt(2000))
    observed = uniform_bound_of(fastxavier.kaiming_uniform_, array, nonlinearity="relu")
    assert bound * 0.99 < observed < bound


@pytest.mark.parametrize(
    "fill,kwargs",
    [
        (fastxavier.kaiming_uniform_, {}),
        (fastxavier.he_uniform_, {}),
        (fastxavier.glorot_uniform_, {}),
        (
            fastxavier.variance_scaling_,
            {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform"},
        ),
    ],
)
def test_explicit_fans_win(fill, kwargs):
    shaped = fill(np.empty((40, 30)), **kwargs, seed=3)
    explicit = fill(np.empty((40, 30)), **kwargs, fan_in=7, fan_out=9, seed=3)
    assert shaped.tobytes() != explicit.tobytes()
    # The same fans as the shape's give the same bytes.
    fans = (30, 40) if fill is fastxavier.kaiming_uniform_ else (40, 30)
    same = fill(np.empty((40, 30)), **kwargs, fan_in=fans[0], fan_out=fans[1], seed=3)
    assert same.tobytes() == shaped.tobytes()


@pytest.mark.parametrize("shape", [(12,), ()])
def test_one_dimensional_array_with_fans(shape):
    array = np.empty(shape)
    fastxavier.variance_scaling_(
        array, 1.0, "fan_avg", "normal", fan_in=4, fan_out=4, seed=1
    )
    assert np.isfinite(array).all()
    fastxavier.kaiming_normal_(array, fan_in=4, seed=1)
    assert np.isfinite(array).all()


def test_only_the_needed_fan_is_required():
    # mode fan_in needs only fan_in, so a 1-D array with fan_in alone is filled.
    array = np.empty(10)
    fastxavier.he_uniform_(array, fan_in=6, seed=1)
    assert float(np.abs(array).max()) < 1.0
    with pytest.raises(ValueError, match="pass fan_in and fan_out"):
        fastxavier.he_uniform_(np.empty(10), fan_out=6, seed=1)
    with pytest.raises(ValueError, match="pass fan_in and fan_out"):
        fastxavier.glorot_uniform_(np.empty(10), fan_in=6, seed=1)


@pytest.mark.parametrize("fill", [fastxavier.he_normal_, reference.he_normal_])
@pytest.mark.parametrize("shape", [(0,), (0, 5), (3, 0, 2), (5, 0)])
def test_empty_array_is_a_no_op(fill, shape):
    array = np.empty(shape, dtype=np.float32)
    assert fill(array, seed=1) is array


def test_empty_array_takes_no_default_stream():
    fastxavier.manual_seed(4)
    fastxavier.kaiming_uniform_(np.empty((0, 3)))
    fastxavier.glorot_normal_(np.empty(0))
    assert fastxavier.default_generator().get_state()["next_stream"] == 0


def test_shard_takes_fans_from_global_shape():
    full = fastxavier.he_uniform_(np.empty((64, 8)), seed=2)
    part = fastxavier.he_uniform_(
        np.empty((16, 8)), seed=2, global_shape=(64, 8), index=slice(16, 32)
    )
    assert part.tobytes() == full[16:32].tobytes()


def test_convolution_examples_of_the_docs():
    # docs/initializers.md works through these two PyTorch layers.
    torch = pytest.importorskip("torch")
    transposed = torch.nn.ConvTranspose2d(8, 6, (3, 5), groups=2).weight
    grouped = torch.nn.Conv2d(8, 6, (3, 5), groups=2).weight
    assert tuple(transposed.shape) == (8, 3, 3, 5)
    assert tuple(grouped.shape) == (6, 4, 3, 5)
    assert fastxavier.compute_fans(transposed.shape) == (45, 120)
    assert fastxavier.compute_fans(grouped.shape) == (60, 90)
    ungrouped = torch.nn.ConvTranspose2d(8, 6, (3, 5)).weight
    assert fastxavier.compute_fans(ungrouped.shape) == (90, 120)
