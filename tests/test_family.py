"""The initializer family: bit-equality with the reference, formulas, statistics and
errors.

Statistical tests use fixed seeds, so each result is deterministic. Tolerances are
Z = 5 standard errors (two-sided p < 6e-7 for a correct generator); a wrong scale
misses them by far more.
"""

import inspect
import math
import sys

import ml_dtypes
import numpy as np
import pytest
from _support import run_python
from scipy import stats

import fastxavier
from fastxavier import _family, reference

Z = 5.0
TRUNCATED_STD = stats.truncnorm(-2, 2).std()  # std of N(0, 1) cut to [-2, 2]
TRUNCATED_FOURTH = stats.truncnorm(-2, 2).moment(4)

# (name, keyword arguments) of every in-place scheme, with non-default options where
# the scheme has them.
SCHEMES = [
    ("kaiming_uniform_", {"a": math.sqrt(5)}),
    ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}),
    ("he_uniform_", {}),
    ("he_normal_", {}),
    ("lecun_uniform_", {}),
    ("lecun_normal_", {}),
    ("glorot_uniform_", {}),
    ("glorot_normal_", {}),
    (
        "variance_scaling_",
        {"scale": 0.5, "mode": "fan_geo_avg", "distribution": "truncated_normal"},
    ),
    ("variance_scaling_", {"scale": 3.0, "mode": "fan_out", "distribution": "normal"}),
    (
        "variance_scaling_",
        {"scale": 1.5, "mode": "fan_avg", "distribution": "uniform", "layout": "torch"},
    ),
]
SCHEME_IDS = [f"{name}{index}" for index, (name, _) in enumerate(SCHEMES)]
DTYPES = [np.float32, np.float64, np.float16, ml_dtypes.bfloat16]
ALLOCATING = [
    "variance_scaling",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
    "glorot_uniform",
    "glorot_normal",
]
PUBLIC_FILLS = [name for name, _ in SCHEMES[:9]] + ALLOCATING


def assert_bits_equal(actual, expected, context):
    """Assert equal bytes in logical C order; on failure name the first difference."""
    actual = np.ascontiguousarray(actual).reshape(-1)
    expected = np.ascontiguousarray(expected).reshape(-1)
    assert actual.dtype == expected.dtype, f"{context}: dtypes differ"
    assert actual.shape == expected.shape, f"{context}: sizes differ"
    actual_bytes = actual.view(np.uint8).reshape(actual.size, -1)
    expected_bytes = expected.view(np.uint8).reshape(expected.size, -1)
    differs = (actual_bytes != expected_bytes).any(axis=1)
    if differs.any():
        index = int(np.flatnonzero(differs)[0])
        raise AssertionError(
            f"{context}: element {index} is {actual[index]!r}, reference "
            f"{expected[index]!r}"
        )


def make_view(layout, dtype):
    """Return (base, view) for a C-ordered, F-ordered or strided target."""
    if layout == "c_order":
        base = np.full((40, 30), np.nan, dtype=dtype)
        return base, base
    if layout == "f_order":
        base = np.full((40, 30), np.nan, dtype=dtype, order="F")
        return base, base
    base = np.full((80, 90), np.nan, dtype=dtype)
    return base, base[::2, ::3]


def plan_of(name, kwargs, shape, dtype=np.float64):
    """Return the FillPlan the package would use, for formula checks."""
    array = np.empty(shape, dtype=dtype)
    args = _family.FillArgs(
        kwargs.pop("fan_in", None), kwargs.pop("fan_out", None), seed=0
    )
    if name.startswith("kaiming"):
        distribution = "uniform" if name == "kaiming_uniform_" else "normal"
        return _family.plan_kaiming(
            array,
            kwargs.get("a", 0),
            kwargs.get("mode", "fan_in"),
            kwargs.get("nonlinearity", "leaky_relu"),
            distribution,
            args,
        )
    if name == "variance_scaling_":
        scale = kwargs["scale"]
        mode = kwargs["mode"]
        distribution = kwargs["distribution"]
    else:
        scale, mode, distribution = _family.JAX_SCHEMES[name[:-1]]
    layout_args = (kwargs.get("layout", "jax"), -2, -1, ())
    return _family.plan_variance_scaling(
        array, scale, mode, distribution, layout_args, args
    )


# ---- bit-equality with the reference ---------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda dtype: np.dtype(dtype).name)
@pytest.mark.parametrize("layout", ["c_order", "f_order", "strided"])
@pytest.mark.parametrize("name,kwargs", SCHEMES, ids=SCHEME_IDS)
def test_matches_reference(name, kwargs, layout, dtype):
    expected = getattr(reference, name)(
        np.empty((40, 30), dtype=dtype), **kwargs, seed=9, stream=4
    )
    for threads in (1, 3):
        base, view = make_view(layout, dtype)
        getattr(fastxavier, name)(view, **kwargs, seed=9, stream=4, threads=threads)
        assert_bits_equal(view, expected, f"{name} {layout} threads={threads}")
        # Exactly the elements outside the view must still hold their NaN.
        assert int(np.isnan(base.astype(np.float32)).sum()) == base.size - view.size


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,kwargs", SCHEMES, ids=SCHEME_IDS)
def test_matches_reference_multithreaded(name, kwargs, dtype):
    # 120 000 elements: large enough that three threads each take a share.
    expected = getattr(reference, name)(
        np.empty((300, 400), dtype=dtype),
        **kwargs,
        seed=2**64 - 1,
        stream="layer.weight",
    )
    actual = getattr(fastxavier, name)(
        np.empty((300, 400), dtype=dtype),
        **kwargs,
        seed=2**64 - 1,
        stream="layer.weight",
        threads=3,
    )
    assert_bits_equal(actual, expected, name)


@pytest.mark.parametrize(
    "dtype", [np.float32, ml_dtypes.bfloat16], ids=["float32", "bfloat16"]
)
@pytest.mark.parametrize("name,kwargs", SCHEMES, ids=SCHEME_IDS)
def test_shard_matches_full_fill(name, kwargs, dtype):
    global_shape = (64, 48)
    index = (slice(8, 40, 3), slice(5, 45, 2))
    full = getattr(fastxavier, name)(
        np.empty(global_shape, dtype=dtype), **kwargs, seed=6
    )
    shard = np.empty(full[index].shape, dtype=dtype)
    getattr(fastxavier, name)(
        shard, **kwargs, seed=6, global_shape=global_shape, index=index, threads=3
    )
    assert_bits_equal(shard, full[index], f"{name} shard")
    expected = np.empty(shard.shape, dtype=dtype)
    getattr(reference, name)(
        expected, **kwargs, seed=6, global_shape=global_shape, index=index
    )
    assert_bits_equal(shard, expected, f"{name} reference shard")


@pytest.mark.parametrize("dtype", ["float16", np.float32, "float64", "bfloat16"])
@pytest.mark.parametrize("name", ALLOCATING)
def test_allocating_form(name, dtype):
    args = (1.0, "fan_in", "normal") if name == "variance_scaling" else ()
    array = getattr(fastxavier, name)(
        (3, 3, 8, 16), *args, dtype=dtype, seed=5, stream=1
    )
    assert array.shape == (3, 3, 8, 16)
    assert array.flags.c_contiguous
    expected = getattr(reference, name)(
        (3, 3, 8, 16), *args, dtype=dtype, seed=5, stream=1
    )
    assert_bits_equal(array, expected, name)
    in_place = getattr(fastxavier, name + "_")(
        np.empty((3, 3, 8, 16), dtype=array.dtype), *args, seed=5, stream=1
    )
    assert_bits_equal(array, in_place, f"{name} in place")


def test_allocating_form_defaults():
    array = fastxavier.he_uniform((2000, 10), seed=1)
    assert array.dtype == np.float32
    # JAX's layout by default: fan_in is the first of the last two axes.
    assert float(np.abs(array).max()) < math.sqrt(6 / 2000)
    assert fastxavier.glorot_normal(7, fan_in=3, fan_out=4, seed=1).shape == (7,)
    assert fastxavier.lecun_normal((0, 4), seed=1).shape == (0, 4)
    assert fastxavier.lecun_normal((4, 4), None, seed=1).dtype == np.float32


@pytest.mark.parametrize("name", PUBLIC_FILLS)
def test_reference_has_same_signature(name):
    def describe(function):
        return [
            (p.name, p.kind, p.default)
            for p in inspect.signature(function).parameters.values()
        ]

    assert describe(getattr(reference, name)) == describe(getattr(fastxavier, name))


def test_seedless_call_takes_next_default_stream():
    fastxavier.manual_seed(31)
    fastxavier.he_normal_(np.empty((5, 5)))
    second = fastxavier.he_normal_(np.empty((5, 5)))
    explicit = fastxavier.he_normal_(np.empty((5, 5)), seed=31, stream=1)
    assert second.tobytes() == explicit.tobytes()


# ---- formulas ------------------------------------------------------------------------


# Values computed by hand from the formulas in the docstrings.
HAND_COMPUTED = [
    # kaiming_uniform_, (out 64, in 32), leaky_relu slope 0: sqrt(3) sqrt(2) / sqrt(32)
    ("kaiming_uniform_", {}, (64, 32), "uniform", math.sqrt(6 / 32)),
    # PyTorch's nn.Linear default a = sqrt(5): gain sqrt(1/3), bound 1 / sqrt(32)
    ("kaiming_uniform_", {"a": math.sqrt(5)}, (64, 32), "uniform", 1 / math.sqrt(32)),
    # fan_out = 64 * 9, relu gain sqrt(2)
    (
        "kaiming_normal_",
        {"mode": "fan_out", "nonlinearity": "relu"},
        (64, 32, 3, 3),
        "normal",
        math.sqrt(2) / 24,
    ),
    ("kaiming_normal_", {"nonlinearity": "tanh"}, (10, 25), "normal", (5 / 3) / 5),
    (
        "kaiming_normal_",
        {"mode": "FAN_IN", "nonlinearity": "selu"},
        (10, 16),
        "normal",
        0.75 / 4,
    ),
    ("kaiming_uniform_", {"fan_in": 3}, (10, 25), "uniform", math.sqrt(3 * 2 / 3)),
    # JAX layout: (in 64, out 32)
    ("he_uniform_", {}, (64, 32), "uniform", math.sqrt(6 / 64)),
    ("lecun_uniform_", {}, (64, 32), "uniform", math.sqrt(3 / 64)),
    ("glorot_uniform_", {}, (64, 32), "uniform", 0.25),
    ("he_normal_", {}, (2, 2, 8, 4), "truncated_normal", 0.25 / TRUNCATED_STD),
    ("lecun_normal_", {}, (25, 3), "truncated_normal", 0.2 / TRUNCATED_STD),
    ("glorot_normal_", {}, (30, 20), "truncated_normal", 0.2 / TRUNCATED_STD),
    # n = sqrt(8 * 32) = 16, variance 2 / 16
    (
        "variance_scaling_",
        {"scale": 2.0, "mode": "fan_geo_avg", "distribution": "normal"},
        (8, 32),
        "normal",
        math.sqrt(2 / 16),
    ),
    # n = fan_out = 40, bound sqrt(3 * 3 / 40)
    (
        "variance_scaling_",
        {"scale": 3.0, "mode": "fan_out", "distribution": "uniform"},
        (10, 40),
        "uniform",
        0.4743416490252569,
    ),
    # torch layout: (out 40, in 10), fan_avg 25
    (
        "variance_scaling_",
        {"scale": 1.0, "mode": "fan_avg", "distribution": "normal", "layout": "torch"},
        (40, 10),
        "normal",
        0.2,
    ),
]


@pytest.mark.parametrize("name,kwargs,shape,distribution,parameter", HAND_COMPUTED)
def test_parameter_by_hand(name, kwargs, shape, distribution, parameter):
    plan = plan_of(name, dict(kwargs), shape)
    assert plan.distribution == distribution
    assert plan.parameter == pytest.approx(parameter, rel=1e-14)


def test_truncated_constant_is_the_truncated_std():
    assert _family.TRUNCATED_STD_AT_2 == pytest.approx(TRUNCATED_STD, rel=1e-15)


BOUNDED = [
    (name, kwargs)
    for name, kwargs in SCHEMES
    if name != "kaiming_normal_" and kwargs.get("distribution") != "normal"
]


@pytest.mark.parametrize("name,kwargs", BOUNDED, ids=[name for name, _ in BOUNDED])
def test_values_inside_bounds(name, kwargs):
    plan = plan_of(name, dict(kwargs), (1000, 1000), np.float32)
    values = getattr(fastxavier, name)(
        np.empty((1000, 1000), dtype=np.float32), **kwargs, seed=12
    )
    largest = float(np.abs(values).max())
    if plan.distribution == "uniform":
        assert largest < float(np.float32(plan.parameter))
        assert largest > 0.999 * plan.parameter
    elif plan.distribution == "truncated_normal":
        assert largest <= float(np.float32(2 * plan.parameter))
        assert largest > 0.999 * 2 * plan.parameter


# ---- against PyTorch's formulas ------------------------------------------------------

KAIMING_CASES = [
    ((64, 32), 0, "fan_in", "leaky_relu"),
    ((64, 32), math.sqrt(5), "fan_in", "leaky_relu"),
    ((64, 32, 3, 3), 0, "fan_out", "relu"),
    ((16, 48, 5), 0.2, "fan_in", "leaky_relu"),
    ((16, 48, 5), 0, "fan_out", "tanh"),
    ((20, 10), 0, "fan_in", "selu"),
    ((20, 10), 3, "fan_out", "linear"),
]


@pytest.mark.parametrize("shape,a,mode,nonlinearity", KAIMING_CASES)
def test_kaiming_formula_matches_torch(shape, a, mode, nonlinearity):
    torch = pytest.importorskip("torch")
    tensor = torch.empty(shape)
    fan = torch.nn.init._calculate_correct_fan(tensor, mode)
    gain = torch.nn.init.calculate_gain(nonlinearity, a)
    torch_std = gain / math.sqrt(fan)
    torch_bound = math.sqrt(3.0) * torch_std
    kwargs = {"a": a, "mode": mode, "nonlinearity": nonlinearity}
    assert plan_of("kaiming_uniform_", dict(kwargs), shape).parameter == torch_bound
    assert plan_of("kaiming_normal_", dict(kwargs), shape).parameter == torch_std


@pytest.mark.parametrize("shape,a,mode,nonlinearity", KAIMING_CASES[:4])
def test_kaiming_uniform_bound_against_torch(shape, a, mode, nonlinearity):
    torch = pytest.importorskip("torch")
    # Repeat along the axis that leaves the fan alone, for about a million values.
    if mode == "fan_in":
        big_shape = (shape[0] * 200, *shape[1:])
    else:
        big_shape = (shape[0], shape[1] * 200, *shape[2:])
    torch.manual_seed(0)
    theirs = torch.nn.init.kaiming_uniform_(
        torch.empty(big_shape), a=a, mode=mode, nonlinearity=nonlinearity
    )
    ours = fastxavier.kaiming_uniform_(
        np.empty(big_shape, dtype=np.float32),
        a=a,
        mode=mode,
        nonlinearity=nonlinearity,
        seed=0,
    )
    their_max = float(theirs.abs().max())
    our_max = float(np.abs(ours).max())
    assert our_max == pytest.approx(their_max, rel=2e-3)
    assert float(ours.std()) == pytest.approx(float(theirs.std()), rel=5e-3)


def test_kaiming_normal_std_against_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = torch.nn.init.kaiming_normal_(
        torch.empty(2048, 512), mode="fan_out", nonlinearity="relu"
    )
    ours = fastxavier.kaiming_normal_(
        np.empty((2048, 512), dtype=np.float32),
        mode="fan_out",
        nonlinearity="relu",
        seed=0,
    )
    # Both estimate sqrt(2 / 2048) from 1M values: relative standard error 7e-4.
    assert float(ours.std()) == pytest.approx(float(theirs.std()), rel=5e-3)


def test_kaiming_mode_error_matches_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="Mode fan_avg not supported") as theirs:
        torch.nn.init.kaiming_uniform_(torch.empty(3, 3), mode="fan_avg")
    with pytest.raises(ValueError, match="Mode fan_avg not supported") as ours:
        fastxavier.kaiming_uniform_(np.empty((3, 3)), mode="fan_avg", seed=0)
    prefix = "Mode fan_avg not supported, please use one of"
    assert str(theirs.value).startswith(prefix)
    assert str(ours.value) == prefix + " fan_in, fan_out"


# ---- statistics ----------------------------------------------------------------------


def expected_std_and_fourth(plan):
    """Return the std and fourth central moment of the plan's distribution."""
    if plan.distribution == "uniform":
        bound = plan.parameter
        return bound / math.sqrt(3), bound**4 / 5
    if plan.distribution == "normal":
        return plan.parameter, 3 * plan.parameter**4
    return plan.parameter * TRUNCATED_STD, TRUNCATED_FOURTH * plan.parameter**4


@pytest.mark.parametrize("name,kwargs", SCHEMES, ids=SCHEME_IDS)
def test_std_within_tolerance(name, kwargs):
    shape = (1000, 1000)
    values = getattr(fastxavier, name)(
        np.empty(shape, dtype=np.float64), **kwargs, seed=21
    ).reshape(-1)
    std, fourth = expected_std_and_fourth(plan_of(name, dict(kwargs), shape))
    count = values.size
    # Standard error of the sample variance: sqrt((mu4 - sigma^4) / N).
    variance_error = math.sqrt((fourth - std**4) / count)
    assert abs(values.mean()) < Z * std / math.sqrt(count)
    assert abs(values.var() - std**2) < Z * variance_error


@pytest.mark.parametrize("name", ["he_normal_", "lecun_normal_", "glorot_normal_"])
def test_truncated_std_equals_sqrt_variance(name):
    # The point of the 0.8796 divisor: after truncation at two standard deviations the
    # values' std is sqrt(variance). Tolerance: 0.25% relative, about 6 standard
    # errors for 2M values; without the divisor the std would be 12% low.
    shape = (2000, 1000)
    values = getattr(fastxavier, name)(np.empty(shape), seed=22)
    scale, mode, _ = _family.JAX_SCHEMES[name[:-1]]
    fan_in, fan_out = shape
    n = fan_in if mode == "fan_in" else (fan_in + fan_out) / 2
    assert float(values.std()) == pytest.approx(math.sqrt(scale / n), rel=2.5e-3)


def test_kolmogorov_smirnov_truncated():
    values = fastxavier.lecun_normal_(np.empty((1000, 500)), seed=23).reshape(-1)
    std = math.sqrt(1 / 1000) / _family.TRUNCATED_STD_AT_2
    result = stats.kstest(values, stats.truncnorm(-2, 2, scale=std).cdf)
    assert result.pvalue > 1e-6


def test_kolmogorov_smirnov_kaiming_uniform():
    values = fastxavier.kaiming_uniform_(np.empty((1000, 500)), seed=24).reshape(-1)
    bound = math.sqrt(6 / 500)
    result = stats.kstest(values, stats.uniform(-bound, 2 * bound).cdf)
    assert result.pvalue > 1e-6


# ---- errors --------------------------------------------------------------------------


def fresh(shape=(4, 5), dtype=np.float32):
    return np.arange(math.prod(shape), dtype=dtype).reshape(shape)


def assert_rejected(fill, array, error, match, **kwargs):
    before = array.copy()
    with pytest.raises(error, match=match):
        fill(array, **kwargs)
    assert np.array_equal(array, before), "a rejected call modified the array"


VS = {"scale": 1.0, "mode": "fan_in", "distribution": "uniform"}

BAD_ARGUMENTS = [
    # kaiming
    (
        "kaiming_uniform_",
        {"mode": "fan_avg"},
        ValueError,
        "^Mode fan_avg not supported, please use one of fan_in, fan_out$",
    ),
    ("kaiming_normal_", {"mode": None}, TypeError, "mode=None has type NoneType"),
    (
        "kaiming_uniform_",
        {"nonlinearity": "softplus"},
        ValueError,
        "Unsupported nonlinearity softplus",
    ),
    ("kaiming_uniform_", {"nonlinearity": None}, TypeError, "nonlinearity=None"),
    ("kaiming_normal_", {"a": math.inf}, ValueError, "a=inf is invalid"),
    ("kaiming_normal_", {"a": math.nan}, ValueError, "a=nan is invalid"),
    ("kaiming_normal_", {"a": "0.1"}, TypeError, "a='0.1' .*expected a real number"),
    ("kaiming_normal_", {"a": True}, TypeError, "a=True .*expected a real number"),
    ("kaiming_uniform_", {"a": 1e200}, ValueError, "a=1e\\+200 is too large"),
    # variance scaling
    (
        "variance_scaling_",
        {**VS, "scale": 0.0},
        ValueError,
        r"scale=0.0 is invalid; expected a finite number > 0",
    ),
    ("variance_scaling_", {**VS, "scale": -1.0}, ValueError, "scale=-1.0 is"),
    ("variance_scaling_", {**VS, "scale": math.inf}, ValueError, "scale=inf is"),
    ("variance_scaling_", {**VS, "scale": math.nan}, ValueError, "scale=nan is"),
    ("variance_scaling_", {**VS, "scale": "1"}, TypeError, "scale='1'"),
    (
        "variance_scaling_",
        {**VS, "mode": "fan_sum"},
        ValueError,
        "mode='fan_sum' is invalid; expected one of 'fan_in', 'fan_out', 'fan_avg', "
        "'fan_geo_avg'",
    ),
    ("variance_scaling_", {**VS, "mode": "FAN_IN"}, ValueError, "mode='FAN_IN'"),
    (
        "variance_scaling_",
        {**VS, "distribution": "untruncated_normal"},
        ValueError,
        "expected one of 'truncated_normal', 'normal', 'uniform' "
        r"\('untruncated_normal' is the Keras name",
    ),
    (
        "variance_scaling_",
        {**VS, "distribution": None},
        ValueError,
        "distribution=None is invalid",
    ),
    ("variance_scaling_", {**VS, "layout": "tf"}, ValueError, "layout='tf' is invalid"),
    (
        "variance_scaling_",
        {**VS, "layout": "torch", "in_axis": 0},
        ValueError,
        "apply to layout='jax' only",
    ),
    ("he_uniform_", {"in_axis": 5}, ValueError, "in_axis 5 is out of range"),
    ("he_uniform_", {"in_axis": -1}, ValueError, "named twice"),
    ("he_uniform_", {"batch_axis": "0"}, TypeError, "batch_axis='0'"),
    (
        "variance_scaling_",
        {**VS, "scale": 1e-320},
        ValueError,
        "bound of .*, below 1.17549435.*e-38, the smallest normal float32 value",
    ),
    (
        "variance_scaling_",
        {**VS, "scale": 1e300},
        ValueError,
        "bound of .*, beyond 3.40282346.*e\\+38, the largest float32 value",
    ),
    # shared arguments
    ("glorot_normal_", {"fan_in": 0}, ValueError, "fan_in=0 is invalid"),
    ("glorot_normal_", {"fan_out": True}, TypeError, "fan_out=True is a bool"),
    ("he_normal_", {"fan_in": 2.5}, TypeError, "fan_in=2.5 .*expected an integer"),
    ("lecun_uniform_", {"seed": -1}, ValueError, r"seed=-1 .*\[0, 2\*\*64\)"),
    ("lecun_uniform_", {"seed": 1.0}, TypeError, "seed=1.0 .*expected an integer"),
    ("lecun_normal_", {"seed": 1, "stream": 2**64}, ValueError, "stream=.* range"),
    ("lecun_normal_", {"stream": 3}, ValueError, "needs an explicit seed"),
    ("glorot_uniform_", {"seed": 1, "threads": 0}, ValueError, "threads=0 is invalid"),
    (
        "glorot_uniform_",
        {"seed": 1, "global_shape": (8, 5), "index": slice(0, 3)},
        ValueError,
        "selects shape",
    ),
    ("glorot_uniform_", {"seed": 1, "index": 0}, ValueError, "needs global_shape"),
]


@pytest.mark.parametrize("module", [fastxavier, reference], ids=["kernel", "reference"])
@pytest.mark.parametrize("name,kwargs,error,match", BAD_ARGUMENTS)
def test_bad_argument(module, name, kwargs, error, match):
    # Calls without seed= go through the default generator, which must not move.
    fastxavier.manual_seed(41)
    assert_rejected(getattr(module, name), fresh(), error, match, **kwargs)
    assert fastxavier.default_generator().get_state()["next_stream"] == 0


@pytest.mark.parametrize("module", [fastxavier, reference], ids=["kernel", "reference"])
@pytest.mark.parametrize("name", [name for name, _ in SCHEMES[:9]])
def test_bad_array(module, name):
    fill = getattr(module, name)
    extra = VS if name == "variance_scaling_" else {}
    with pytest.raises(TypeError, match="must be a numpy.ndarray, got list"):
        fill([[0.0, 1.0]], **extra, seed=1)
    assert_rejected(
        fill,
        np.zeros((4, 5), dtype=np.int32),
        TypeError,
        "dtype int32; expected float16, bfloat16, float32, float64",
        **extra,
        seed=1,
    )
    read_only = fresh()
    read_only.flags.writeable = False
    assert_rejected(fill, read_only, ValueError, "read-only", **extra, seed=1)
    assert_rejected(
        fill, np.zeros(6), ValueError, "pass fan_in and fan_out", **extra, seed=1
    )


def test_empty_array_still_checks_arguments():
    with pytest.raises(ValueError, match="Mode fan_avg"):
        fastxavier.kaiming_uniform_(np.empty((0, 3)), mode="fan_avg", seed=1)
    with pytest.raises(ValueError, match="fan_in=0"):
        fastxavier.he_uniform_(np.empty(0), fan_in=0, seed=1)
    with pytest.raises(ValueError, match="scale=-1.0"):
        fastxavier.variance_scaling_(np.empty(0), -1.0, "fan_in", "normal", seed=1)


def test_half_dtype_overflow_rejected():
    array = np.zeros((4, 4), dtype=np.float16)
    assert_rejected(
        fastxavier.variance_scaling_,
        array,
        ValueError,
        "normal std of 100000.0, whose values reach 860000.0, beyond 65504.0, the "
        "largest float16 value",
        scale=4e10,
        mode="fan_in",
        distribution="normal",
        seed=1,
    )


# (name, keyword arguments, expected message) of family fills on a (4, 4) float16
# array whose bound or std the dtype cannot hold. fan_in = 4 for every shape rule.
PARAMETER_OUT_OF_RANGE = [
    (
        "kaiming_uniform_",
        {"a": 1e6},
        "uniform bound of 1.22.*e-06, below 6.103515625e-05, the smallest normal "
        "float16 value",
    ),
    ("kaiming_normal_", {"a": 1e6}, "normal std of .*, below 6.103515625e-05"),
    ("he_uniform_", {"fan_in": 2**40}, "uniform bound of .*, below 6.103515625e-05"),
    (
        "lecun_normal_",
        {"fan_in": 2**40},
        "truncated_normal std of .*, below 6.103515625e-05",
    ),
    # std = 8000 fits float16, but an untruncated normal reaches 8.6 std = 68800.
    (
        "variance_scaling_",
        {"scale": 2.56e8, "mode": "fan_in", "distribution": "normal"},
        "normal std of 8000.0, whose values reach 68800.0, beyond 65504.0",
    ),
    # std = 40000 fits float16, but the truncated values reach 2 std = 80000.
    (
        "variance_scaling_",
        {
            "scale": 4 * (40000 * _family.TRUNCATED_STD_AT_2) ** 2,
            "mode": "fan_in",
            "distribution": "truncated_normal",
        },
        "truncated_normal std of 40000.0.*, whose values reach 80000.0.*, beyond "
        "65504.0",
    ),
    (
        "variance_scaling_",
        {"scale": 1e12, "mode": "fan_in", "distribution": "uniform"},
        "uniform bound of 866025.4037844386, beyond 65504.0, the largest float16",
    ),
]


@pytest.mark.parametrize("module", [fastxavier, reference], ids=["kernel", "reference"])
@pytest.mark.parametrize("name,kwargs,match", PARAMETER_OUT_OF_RANGE)
def test_parameter_out_of_dtype_range(module, name, kwargs, match):
    fastxavier.manual_seed(41)
    array = fresh((4, 4), np.float16)

    assert_rejected(getattr(module, name), array, ValueError, match, **kwargs)

    assert fastxavier.default_generator().get_state()["next_stream"] == 0


def test_bound_near_smallest_normal():
    # he_uniform_'s bound sqrt(6 / fan_in) equals 2**-14, float16's smallest normal
    # number, at fan_in = 6 * 2**28.
    boundary = 6 * 2**28
    array = fastxavier.he_uniform_(
        np.zeros((4, 4), dtype=np.float16), fan_in=boundary - 1000, seed=1
    )
    assert np.all(np.isfinite(array))
    assert np.any(array != 0)

    with pytest.raises(ValueError, match="below 6.103515625e-05"):
        fastxavier.he_uniform_(
            np.zeros((4, 4), dtype=np.float16), fan_in=boundary + 1000, seed=1
        )


def test_seedless_fill_with_invalid_thread_environment():
    # In a new interpreter, because the test suite calls set_num_threads, after which
    # the variable is not read.
    code = """
import numpy as np, fastxavier
fastxavier.manual_seed(3)
calls = [
    lambda: fastxavier.kaiming_uniform_(np.empty((4, 4))),
    lambda: fastxavier.variance_scaling_(np.empty((4, 4)), 1.0, "fan_in", "normal"),
    lambda: fastxavier.he_normal_(np.empty((4, 4))),
    lambda: fastxavier.glorot_uniform((4, 4)),
]
for call in calls:
    try:
        call()
    except ValueError as error:
        assert "FASTXAVIER_NUM_THREADS='bogus' is invalid" in str(error), error
    else:
        raise AssertionError("no ValueError")
print(fastxavier.default_generator().get_state()["next_stream"])
"""
    result = run_python(code, {"FASTXAVIER_NUM_THREADS": "bogus"})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"


@pytest.mark.parametrize("module", [fastxavier, reference], ids=["kernel", "reference"])
@pytest.mark.parametrize(
    "shape,dtype,error,match",
    [
        (
            (3, 4),
            np.int32,
            TypeError,
            "dtype=int32 is not supported; expected one of float16, bfloat16, "
            "float32, float64$",
        ),
        (
            (4, 5),
            ">f4",
            ValueError,
            "dtype='>f4' has non-native byte order; expected one of float16, "
            "bfloat16, float32, float64 in native byte order, such as '<f4'",
        ),
        (
            (4, 5),
            np.dtype(">f8"),
            ValueError,
            "dtype='>f8' has non-native byte order",
        ),
        (
            (2**40, 2**40),
            np.float32,
            ValueError,
            r"shape=\(1099511627776, 1099511627776\) is invalid: array is too big",
        ),
        (
            (1,) * 70,
            np.float32,
            ValueError,
            r"shape=\(1, 1, .*\) is invalid: .*dimension",
        ),
        ((3, 4), "float8", TypeError, "dtype='float8' is not a NumPy dtype"),
        ((3, 4), np.complex64, TypeError, "dtype=complex64 is not supported"),
        ((3, -4), np.float32, ValueError, "negative extent"),
        ("34", np.float32, TypeError, "shape='34'"),
        ((3, 4.0), np.float32, TypeError, "shape entry=4.0"),
    ],
)
def test_allocating_bad_arguments(module, shape, dtype, error, match):
    with pytest.raises(error, match=match):
        module.glorot_uniform(shape, dtype, seed=1)


def test_bfloat16_without_ml_dtypes(monkeypatch):
    monkeypatch.setitem(sys.modules, "ml_dtypes", None)  # makes `import` fail
    with pytest.raises(ImportError, match="`pip install ml_dtypes`"):
        fastxavier.he_uniform((3, 4), "bfloat16", seed=1)


def test_allocating_bad_dtype_takes_no_stream():
    fastxavier.manual_seed(5)
    with pytest.raises(ValueError, match="dtype='>f4'"):
        fastxavier.glorot_uniform((4, 5), ">f4")
    assert fastxavier.default_generator().get_state()["next_stream"] == 0
