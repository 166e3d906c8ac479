"""fastxavier.torch: the torch.nn.init drop-ins and init_module_ on real tensors."""

import inspect
import math
import random

import numpy as np
import pytest
from _support import run_python

torch = pytest.importorskip("torch")

import fastxavier  # noqa: E402
import fastxavier.torch as ft  # noqa: E402
from fastxavier._api import FillKey, fill_normal, fill_uniform  # noqa: E402

try:
    import ml_dtypes
except ImportError:
    ml_dtypes = None

needs_ml_dtypes = pytest.mark.skipif(ml_dtypes is None, reason="ml_dtypes missing")

DTYPES = [
    pytest.param(torch.float32, id="float32"),
    pytest.param(torch.float64, id="float64"),
    pytest.param(torch.float16, id="float16"),
    pytest.param(torch.bfloat16, id="bfloat16", marks=needs_ml_dtypes),
]

DROP_INS = [
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "trunc_normal_",
]

TRANSFORMER_WARNING = "ignore:enable_nested_tensor is True"


def numpy_dtype(dtype):
    if dtype == torch.bfloat16:
        return np.dtype(ml_dtypes.bfloat16)
    return torch.empty(0, dtype=dtype).numpy().dtype


def tensor_bits(tensor):
    """Return the raw bits of a tensor's elements in C order, as a NumPy array."""
    width = {2: torch.int16, 4: torch.int32, 8: torch.int64}[tensor.element_size()]
    return tensor.detach().contiguous().view(width).numpy()


def array_bits(array):
    return np.ascontiguousarray(array).view(f"i{array.dtype.itemsize}")


def assert_same_bits(tensor, array, context=""):
    actual = tensor_bits(tensor)
    expected = array_bits(array)
    assert actual.shape == expected.shape, context
    mismatch = np.flatnonzero(actual.reshape(-1) != expected.reshape(-1))
    assert mismatch.size == 0, f"{context}: first differing element {mismatch[:1]}"


def nan_tensor(shape, dtype=torch.float32):
    return torch.full(shape, float("nan"), dtype=dtype)


def kaiming_std(shape, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    """Return the std by torch.nn.init's own fan and gain functions."""
    fan = torch.nn.init._calculate_correct_fan(torch.empty(shape), mode)
    gain = torch.nn.init.calculate_gain(nonlinearity, a)
    return gain / math.sqrt(fan)


def kaiming_bound(shape, **kwargs):
    return math.sqrt(3.0) * kaiming_std(shape, **kwargs)


def numpy_key(seed, stream):
    if isinstance(stream, str):
        stream = fastxavier.stream_of_name(stream)
    return FillKey(seed, stream, 0)


def numpy_kaiming_uniform(array, seed, stream, **kwargs):
    bound = kaiming_bound(array.shape, **kwargs)
    return fill_uniform(array, bound, numpy_key(seed, stream))


def numpy_kaiming_normal(array, seed, stream, **kwargs):
    std = kaiming_std(array.shape, **kwargs)
    return fill_normal(array, std, numpy_key(seed, stream))


# ---- signatures ----------------------------------------------------------------------


@pytest.mark.parametrize("name", DROP_INS)
def test_signature_matches_torch(name):
    ours = inspect.signature(getattr(ft, name)).parameters
    theirs = inspect.signature(getattr(torch.nn.init, name)).parameters
    positional = [p for p in ours.values() if p.kind != p.KEYWORD_ONLY]
    assert [p.name for p in positional] == list(theirs)
    for parameter in positional:
        expected = theirs[parameter.name]
        assert parameter.default == expected.default, parameter.name
        assert parameter.kind == expected.kind, parameter.name


@pytest.mark.parametrize("name", DROP_INS)
def test_signature_extras_keyword_only(name):
    parameters = inspect.signature(getattr(ft, name)).parameters
    extras = [p.name for p in parameters.values() if p.kind == p.KEYWORD_ONLY]
    assert extras == ["seed", "stream", "threads", "global_shape", "index"]


def test_import_fastxavier_skips_torch():
    code = "import sys, fastxavier; print('torch' in sys.modules)"
    result = run_python(code, {})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


# ---- values equal to the NumPy path --------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_xavier_uniform_equals_numpy(dtype):
    tensor = torch.empty(37, 53, dtype=dtype)
    ft.xavier_uniform_(tensor, gain=1.5, seed=11, stream=4)
    expected = np.empty((37, 53), dtype=numpy_dtype(dtype))
    fastxavier.uniform_(expected, gain=1.5, seed=11, stream=4)
    assert_same_bits(tensor, expected, "xavier_uniform_")


@pytest.mark.parametrize("dtype", DTYPES)
def test_xavier_normal_equals_numpy(dtype):
    tensor = torch.empty(16, 8, 3, 3, dtype=dtype)
    ft.xavier_normal_(tensor, gain=0.5, seed=12, stream="conv.weight")
    expected = np.empty((16, 8, 3, 3), dtype=numpy_dtype(dtype))
    fastxavier.normal_(expected, gain=0.5, seed=12, stream="conv.weight")
    assert_same_bits(tensor, expected, "xavier_normal_")


@pytest.mark.parametrize("dtype", DTYPES)
def test_trunc_normal_equals_numpy(dtype):
    tensor = torch.empty(101, dtype=dtype)
    ft.trunc_normal_(tensor, 0.1, 0.02, -0.01, 0.2, seed=13)
    expected = np.empty(101, dtype=numpy_dtype(dtype))
    fastxavier.trunc_normal_(expected, 0.1, 0.02, -0.01, 0.2, seed=13)
    assert_same_bits(tensor, expected, "trunc_normal_")


@pytest.mark.parametrize("dtype", DTYPES)
def test_kaiming_uniform_equals_numpy(dtype):
    tensor = torch.empty(24, 40, dtype=dtype)
    ft.kaiming_uniform_(tensor, a=math.sqrt(5), seed=14, stream=2)
    expected = np.empty((24, 40), dtype=numpy_dtype(dtype))
    fastxavier.kaiming_uniform_(expected, a=math.sqrt(5), seed=14, stream=2)
    assert_same_bits(tensor, expected, "kaiming_uniform_")


@pytest.mark.parametrize("dtype", DTYPES)
def test_kaiming_bound_is_torch_formula(dtype):
    tensor = torch.empty(24, 10, 3, dtype=dtype)
    ft.kaiming_uniform_(tensor, a=0.1, mode="fan_out", seed=14)
    expected = np.empty((24, 10, 3), dtype=numpy_dtype(dtype))
    numpy_kaiming_uniform(expected, 14, 0, a=0.1, mode="fan_out")
    assert_same_bits(tensor, expected, "bound from torch's fan and gain")


@pytest.mark.parametrize("dtype", DTYPES)
def test_kaiming_normal_equals_numpy(dtype):
    tensor = torch.empty(24, 6, 5, dtype=dtype)
    ft.kaiming_normal_(tensor, mode="fan_out", nonlinearity="relu", seed=15)
    expected = np.empty((24, 6, 5), dtype=numpy_dtype(dtype))
    fastxavier.kaiming_normal_(expected, mode="fan_out", nonlinearity="relu", seed=15)
    assert_same_bits(tensor, expected, "kaiming_normal_")


@pytest.mark.parametrize("dtype", DTYPES)
def test_kaiming_std_is_torch_formula(dtype):
    tensor = torch.empty(24, 6, 5, dtype=dtype)
    ft.kaiming_normal_(tensor, nonlinearity="tanh", seed=16)
    expected = np.empty((24, 6, 5), dtype=numpy_dtype(dtype))
    numpy_kaiming_normal(expected, 16, 0, nonlinearity="tanh")
    assert_same_bits(tensor, expected, "std from torch's fan and gain")


def test_seed_and_stream_reproducible():
    first = ft.xavier_uniform_(torch.empty(20, 30), seed=5, stream=9)
    second = ft.xavier_uniform_(torch.empty(20, 30), seed=5, stream=9)
    other = ft.xavier_uniform_(torch.empty(20, 30), seed=5, stream=10)
    assert torch.equal(first, second)
    assert not torch.equal(first, other)


def test_stream_name_is_hashed():
    named = ft.xavier_normal_(torch.empty(6, 7), seed=3, stream="fc.weight")
    hashed = ft.xavier_normal_(
        torch.empty(6, 7), seed=3, stream=fastxavier.stream_of_name("fc.weight")
    )
    assert torch.equal(named, hashed)


def test_seedless_calls_follow_manual_seed():
    fastxavier.manual_seed(77)
    first = ft.xavier_uniform_(torch.empty(5, 5))
    second = ft.xavier_uniform_(torch.empty(5, 5))
    fastxavier.manual_seed(77)
    assert torch.equal(first, ft.xavier_uniform_(torch.empty(5, 5)))
    assert torch.equal(second, ft.xavier_uniform_(torch.empty(5, 5)))
    assert not torch.equal(first, second)


def test_failed_seedless_call_takes_no_stream():
    fastxavier.manual_seed(79)
    with pytest.raises(ValueError):
        ft.xavier_uniform_(torch.empty(8))
    with pytest.raises(ValueError):
        ft.trunc_normal_(torch.empty(8), a=1.0, b=0.0)
    first = ft.xavier_uniform_(torch.empty(4, 4))
    fastxavier.manual_seed(79)
    assert torch.equal(first, ft.xavier_uniform_(torch.empty(4, 4)))


def test_torch_manual_seed_has_no_effect():
    fastxavier.manual_seed(78)
    torch.manual_seed(0)
    first = ft.kaiming_uniform_(torch.empty(5, 5))
    fastxavier.manual_seed(78)
    torch.manual_seed(1)
    assert torch.equal(first, ft.kaiming_uniform_(torch.empty(5, 5)))


def test_generator_takes_next_streams():
    generator = fastxavier.Generator(21)
    first = ft.xavier_uniform_(torch.empty(4, 4), generator=generator)
    second = ft.xavier_uniform_(torch.empty(4, 4), generator=generator)
    again = ft.xavier_uniform_(torch.empty(4, 4), generator=fastxavier.Generator(21))
    assert not torch.equal(first, second)
    assert torch.equal(first, again)
    assert generator.get_state()["next_stream"] == 2


@pytest.mark.parametrize("name", DROP_INS)
def test_generator_equals_numpy_method(name):
    tensor = getattr(ft, name)(torch.empty(9, 12), generator=fastxavier.Generator(4))
    numpy_name = {"xavier_uniform_": "uniform_", "xavier_normal_": "normal_"}.get(
        name, name
    )
    expected = np.empty((9, 12), dtype=np.float32)
    getattr(fastxavier.Generator(4), numpy_name)(expected)
    assert_same_bits(tensor, expected, name)


def test_generator_named_stream_keeps_counter():
    generator = fastxavier.Generator(22)
    named = ft.kaiming_normal_(torch.empty(6, 6), generator=generator, stream="w")
    assert torch.equal(
        named, ft.kaiming_normal_(torch.empty(6, 6), seed=22, stream="w")
    )
    assert generator.get_state()["next_stream"] == 0


def test_generator_failed_call_takes_no_stream():
    generator = fastxavier.Generator(23)
    with pytest.raises(ValueError):
        ft.xavier_uniform_(torch.empty(8), generator=generator)
    with pytest.raises(ValueError):
        ft.kaiming_uniform_(torch.empty(4, 4), mode="fan_avg", generator=generator)
    assert generator.get_state()["next_stream"] == 0


# ---- layouts and zero copy -----------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_transposed_filled_in_logical_order(dtype):
    base = torch.empty(53, 37, dtype=dtype)
    view = base.T
    ft.xavier_uniform_(view, seed=6)
    expected = np.empty((37, 53), dtype=numpy_dtype(dtype))
    fastxavier.uniform_(expected, seed=6)
    assert_same_bits(view, expected, "transposed view")


@pytest.mark.parametrize("dtype", DTYPES)
def test_strided_view_touches_only_its_elements(dtype):
    base = nan_tensor((12, 20), dtype)
    view = base[:, ::2]
    ft.xavier_normal_(view, seed=7)
    expected = np.empty((12, 10), dtype=numpy_dtype(dtype))
    fastxavier.normal_(expected, seed=7)
    assert_same_bits(view, expected, "strided view")
    assert torch.isnan(base[:, 1::2]).all(), "the fill wrote between the view's columns"


def test_view_into_larger_tensor():
    base = nan_tensor((10, 30))
    view = base[2:6, 5:25]
    ft.kaiming_uniform_(view, seed=8)
    expected = np.empty((4, 20), dtype=np.float32)
    numpy_kaiming_uniform(expected, 8, 0)
    assert_same_bits(view, expected, "view into a larger tensor")
    outside = base.clone()
    outside[2:6, 5:25] = float("nan")
    assert torch.isnan(outside).all(), "the fill wrote outside the view"


@pytest.mark.parametrize("dtype", DTYPES)
def test_fill_keeps_data_ptr(dtype):
    tensor = torch.empty(33, 17, dtype=dtype)
    pointer = tensor.data_ptr()
    result = ft.xavier_uniform_(tensor, seed=1)
    assert result is tensor
    assert tensor.data_ptr() == pointer
    assert not torch.isnan(tensor).any()


@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_view_shares_memory(dtype):
    tensor = torch.empty(9, 14, dtype=dtype)[:, 1::3]
    array = ft._numpy_view(tensor)
    assert array.ctypes.data == tensor.data_ptr()
    assert array.shape == tuple(tensor.shape)
    assert array.dtype == numpy_dtype(dtype)


def test_parameter_requiring_grad():
    parameter = torch.nn.Parameter(torch.zeros(6, 4))
    ft.xavier_uniform_(parameter, seed=2)
    assert parameter.requires_grad
    assert parameter.is_leaf
    assert parameter.grad_fn is None
    assert (parameter != 0).all()


def test_fill_bumps_version_counter():
    parameter = torch.nn.Parameter(torch.ones(3, 3))
    before = parameter._version
    ft.xavier_normal_(parameter, seed=1)
    assert parameter._version > before


def test_refill_after_save_fails_backward():
    parameter = torch.nn.Parameter(torch.ones(3, 3))
    loss = (parameter * parameter).sum()
    ft.xavier_uniform_(parameter, seed=1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_empty_tensor_draws_no_stream():
    fastxavier.manual_seed(5)
    ft.xavier_uniform_(torch.empty(0, 4))
    ft.kaiming_normal_(torch.empty(3, 0))
    after = ft.xavier_uniform_(torch.empty(4, 4))
    fastxavier.manual_seed(5)
    assert torch.equal(after, ft.xavier_uniform_(torch.empty(4, 4)))


# ---- statistics against torch's formulas ---------------------------------------------


@pytest.mark.parametrize("shape", [(256, 512), (64, 32, 3, 3)])
def test_xavier_uniform_bound_matches_torch(shape):
    tensor = torch.empty(shape, dtype=torch.float64)
    ft.xavier_uniform_(tensor, gain=1.3, seed=4)
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0) * 1.3 * math.sqrt(2.0 / float(fan_in + fan_out))
    largest = tensor.abs().max().item()
    assert largest < bound
    assert largest > 0.999 * bound


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_kaiming_uniform_bound_matches_torch(mode):
    shape = (128, 32, 3, 3)
    tensor = torch.empty(shape, dtype=torch.float64)
    ft.kaiming_uniform_(tensor, a=0.2, mode=mode, seed=4)
    bound = kaiming_bound(shape, a=0.2, mode=mode)
    largest = tensor.abs().max().item()
    assert largest < bound
    assert largest > 0.999 * bound


def test_xavier_normal_std_matches_torch():
    tensor = ft.xavier_normal_(torch.empty(512, 1024, dtype=torch.float64), seed=9)
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(tensor)
    expected = math.sqrt(2.0 / float(fan_in + fan_out))
    assert abs(tensor.std().item() / expected - 1) < 0.005
    assert abs(tensor.mean().item()) < 0.005 * expected


@pytest.mark.parametrize("nonlinearity", ["relu", "tanh", "leaky_relu"])
def test_kaiming_normal_std_matches_torch(nonlinearity):
    tensor = torch.empty(1024, 64, 2, 2, dtype=torch.float32)
    ft.kaiming_normal_(tensor, mode="fan_out", nonlinearity=nonlinearity, seed=10)
    fan = torch.nn.init._calculate_correct_fan(tensor, "fan_out")
    expected = torch.nn.init.calculate_gain(nonlinearity) / math.sqrt(fan)
    assert abs(tensor.std().item() / expected - 1) < 0.005


def test_trunc_normal_within_bounds():
    tensor = ft.trunc_normal_(torch.empty(400, 500), std=0.02, a=-0.04, b=0.04, seed=3)
    assert tensor.min().item() >= -0.04
    assert tensor.max().item() <= 0.04
    # Normal(0, 0.02) truncated at 2 std has standard deviation 0.02 * 0.8796.
    assert abs(tensor.std().item() / (0.02 * 0.8796) - 1) < 0.01


# ---- shard fills ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "fill",
    [ft.xavier_uniform_, ft.kaiming_normal_],
    ids=["xavier_uniform_", "kaiming_normal_"],
)
def test_shard_equals_slice_of_full(fill):
    full = fill(torch.empty(64, 32), seed=31, stream="proj.weight")
    rows = fill(
        torch.empty(16, 32),
        seed=31,
        stream="proj.weight",
        global_shape=(64, 32),
        index=(slice(16, 32),),
    )
    columns = fill(
        torch.empty(64, 8),
        seed=31,
        stream="proj.weight",
        global_shape=(64, 32),
        index=(slice(None), slice(24, 32)),
    )
    assert torch.equal(rows, full[16:32])
    assert torch.equal(columns, full[:, 24:32])


def test_shard_wrong_shape_rejected():
    shard = nan_tensor((16, 32))
    with pytest.raises(ValueError, match="selects shape"):
        ft.xavier_uniform_(shard, seed=1, global_shape=(64, 32), index=slice(0, 8))
    assert torch.isnan(shard).all()


# ---- errors --------------------------------------------------------------------------


def assert_rejected(fill, tensor, error, match, *args, **kwargs):
    before = tensor.detach().clone()
    with pytest.raises(error, match=match):
        fill(tensor, *args, **kwargs)
    unchanged = torch.equal(tensor.nan_to_num(), before.nan_to_num())
    assert unchanged, "a rejected call wrote into the tensor"
    assert torch.equal(tensor.isnan(), before.isnan()), "a rejected call wrote NaNs"


@pytest.mark.parametrize("name", DROP_INS)
def test_meta_tensor_rejected(name):
    tensor = torch.empty(4, 4, device="meta")
    with pytest.raises(ValueError, match=r'meta device.*to_empty\(device="cpu"\)'):
        getattr(ft, name)(tensor, seed=1)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_cuda_tensor_rejected():
    tensor = torch.empty(4, 4, device="cuda")
    with pytest.raises(ValueError, match=r"fill a CPU tensor, then move it"):
        ft.xavier_uniform_(tensor, seed=1)


@pytest.mark.parametrize("name", DROP_INS)
@pytest.mark.parametrize(
    "dtype", [torch.int32, torch.int64, torch.bool, torch.complex64]
)
def test_non_float_dtype_rejected(name, dtype):
    tensor = torch.zeros(4, 4, dtype=dtype)
    assert_rejected(
        getattr(ft, name),
        tensor,
        TypeError,
        "expected torch.float32, torch.float64",
        seed=1,
    )


@pytest.mark.parametrize("name", DROP_INS)
def test_torch_generator_rejected(name):
    tensor = nan_tensor((4, 4))
    assert_rejected(
        getattr(ft, name),
        tensor,
        TypeError,
        "torch.Generator.*pass a fastxavier.Generator, or seed=",
        generator=torch.Generator().manual_seed(0),
    )


def test_other_generator_rejected():
    assert_rejected(
        ft.xavier_uniform_,
        nan_tensor((4, 4)),
        TypeError,
        "generator has type Random",
        generator=random.Random(),
    )


def test_generator_and_seed_rejected():
    assert_rejected(
        ft.xavier_uniform_,
        nan_tensor((4, 4)),
        TypeError,
        "either generator= or seed=",
        generator=fastxavier.Generator(1),
        seed=1,
    )


def test_numpy_array_rejected():
    with pytest.raises(TypeError, match="must be a torch.Tensor, got ndarray"):
        ft.xavier_uniform_(np.zeros((3, 3), dtype=np.float32), seed=1)


def test_sparse_tensor_rejected():
    tensor = torch.eye(4).to_sparse()
    with pytest.raises(ValueError, match="layout torch.sparse_coo"):
        ft.xavier_uniform_(tensor, seed=1)


class WrapperTensor(torch.Tensor):
    """A wrapper subclass, like DTensor: metadata only, elements kept elsewhere."""

    @staticmethod
    def __new__(cls, inner):
        return torch.Tensor._make_wrapper_subclass(cls, inner.shape, dtype=inner.dtype)

    def __init__(self, inner):
        self.inner = inner

    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
        raise NotImplementedError(f"WrapperTensor does not run {func}")


class PlainSubclass(torch.Tensor):
    pass


def test_wrapper_subclass_rejected():
    tensor = WrapperTensor(nan_tensor((3, 3)))
    with pytest.raises(ValueError, match="wrapper subclass.*to_local"):
        ft.xavier_uniform_(tensor, seed=1)
    assert torch.isnan(tensor.inner).all()


def test_plain_subclass_filled():
    tensor = ft.xavier_normal_(torch.empty(5, 6).as_subclass(PlainSubclass), seed=2)
    expected = np.empty((5, 6), dtype=np.float32)
    fastxavier.normal_(expected, seed=2)
    assert_same_bits(tensor.as_subclass(torch.Tensor), expected, "plain subclass")


def test_expanded_view_rejected():
    base = torch.full((1, 4), float("nan"))
    assert_rejected(
        ft.xavier_uniform_, base.expand(3, 4), ValueError, "one memory location", seed=1
    )


def test_negated_view_rejected():
    tensor = torch._neg_view(nan_tensor((3, 3)))
    with pytest.raises(ValueError, match="negated view"):
        ft.xavier_uniform_(tensor, seed=1)


@pytest.mark.parametrize(
    "name", ["xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]
)
def test_one_dimension_rejected(name):
    assert_rejected(
        getattr(ft, name), nan_tensor((8,)), ValueError, "at least 2", seed=1
    )


def test_kaiming_bad_mode_rejected():
    assert_rejected(
        ft.kaiming_uniform_,
        nan_tensor((4, 4)),
        ValueError,
        "Mode fan_avg not supported",
        mode="fan_avg",
        seed=1,
    )


def test_kaiming_bad_nonlinearity_rejected():
    assert_rejected(
        ft.kaiming_normal_,
        nan_tensor((4, 4)),
        ValueError,
        "Unsupported nonlinearity",
        nonlinearity="gelu",
        seed=1,
    )


def test_trunc_normal_bad_bounds_rejected():
    assert_rejected(
        ft.trunc_normal_,
        nan_tensor((4, 4)),
        ValueError,
        "expected a < b",
        a=1.0,
        b=-1.0,
        seed=1,
    )


def test_negative_gain_rejected():
    assert_rejected(
        ft.xavier_uniform_,
        nan_tensor((4, 4)),
        ValueError,
        "gain=-1.0 is invalid",
        gain=-1.0,
        seed=1,
    )


def test_stream_without_seed_rejected():
    assert_rejected(
        ft.xavier_uniform_,
        nan_tensor((4, 4)),
        ValueError,
        "needs an explicit seed",
        stream=3,
    )


def test_seed_out_of_range_rejected():
    assert_rejected(
        ft.xavier_normal_,
        nan_tensor((4, 4)),
        ValueError,
        "seed=-1 is out of range",
        seed=-1,
    )


# ---- init_module_ --------------------------------------------------------------------


class SmallCNN(torch.nn.Module):
    def __init__(self, extra_layer=False):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = torch.nn.BatchNorm2d(8)
        if extra_layer:
            self.conv_extra = torch.nn.Conv2d(8, 8, 1)
        self.conv2 = torch.nn.Conv2d(8, 16, 3, bias=False)
        self.norm = torch.nn.GroupNorm(4, 16)
        self.head = torch.nn.Linear(16, 10)


def make_transformer():
    return torch.nn.Transformer(
        d_model=64,
        nhead=4,
        num_encoder_layers=2,
        num_decoder_layers=2,
        dim_feedforward=128,
    )


def poison(module):
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.fill_(float("nan"))
    return module


def expected_value(module, name, parameter, seed):
    """Return the value init_module_ promises for one parameter (xavier_uniform)."""
    owner = module.get_submodule(name.rpartition(".")[0])
    norm_types = (torch.nn.LayerNorm, torch.nn.BatchNorm2d, torch.nn.GroupNorm)
    if isinstance(owner, norm_types) and name.endswith("weight"):
        return torch.ones_like(parameter)
    if parameter.dim() >= 2:
        return ft.xavier_uniform_(torch.empty_like(parameter), seed=seed, stream=name)
    return torch.zeros_like(parameter)


@pytest.mark.filterwarnings(TRANSFORMER_WARNING)
def test_transformer_every_parameter_set():
    model = poison(make_transformer())
    assert ft.init_module_(model, seed=2024) is model
    for name, parameter in model.named_parameters():
        expected = expected_value(model, name, parameter, 2024)
        assert torch.equal(parameter, expected), name


@pytest.mark.filterwarnings(TRANSFORMER_WARNING)
def test_transformer_reproducible():
    first = ft.init_module_(poison(make_transformer()), seed=1).state_dict()
    second = ft.init_module_(make_transformer(), seed=1).state_dict()
    assert first.keys() == second.keys()
    for name in first:
        assert torch.equal(first[name], second[name]), name


@pytest.mark.filterwarnings(TRANSFORMER_WARNING)
def test_transformer_seeds_differ():
    first = ft.init_module_(make_transformer(), seed=1)
    second = ft.init_module_(make_transformer(), seed=2)
    name = "encoder.layers.0.linear1.weight"
    assert not torch.equal(first.get_parameter(name), second.get_parameter(name))


def test_cnn_every_parameter_set():
    model = poison(SmallCNN())
    ft.init_module_(model, seed=3)
    for name, parameter in model.named_parameters():
        expected = expected_value(model, name, parameter, 3)
        assert torch.equal(parameter, expected), name


def test_cnn_streams_stable_when_layer_added():
    plain = ft.init_module_(SmallCNN(), seed=3)
    extended = ft.init_module_(SmallCNN(extra_layer=True), seed=3)
    extended_parameters = dict(extended.named_parameters())
    for name, parameter in plain.named_parameters():
        assert torch.equal(parameter, extended_parameters[name]), name


def test_cnn_parameters_differ_by_name():
    model = ft.init_module_(
        torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.Linear(8, 8)), seed=3
    )
    assert not torch.equal(model[0].weight, model[1].weight)


def test_batchnorm_buffers_untouched():
    model = SmallCNN()
    with torch.no_grad():
        model.bn1.running_mean.fill_(0.5)
    ft.init_module_(model, seed=1)
    assert (model.bn1.running_mean == 0.5).all()


class TiedModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(50, 16, padding_idx=3)
        self.body = torch.nn.Linear(16, 16)
        self.lm_head = torch.nn.Linear(16, 50, bias=False)
        self.lm_head.weight = self.embed.weight


def test_tied_parameter_set_once():
    model = poison(TiedModel())
    ft.init_module_(model, seed=8)
    assert model.lm_head.weight is model.embed.weight
    expected = ft.xavier_uniform_(torch.empty(50, 16), seed=8, stream="embed.weight")
    expected[3] = 0.0
    assert torch.equal(model.embed.weight, expected)


def test_embedding_padding_row_zero():
    model = ft.init_module_(TiedModel(), seed=8)
    assert (model.embed.weight[3] == 0).all()
    assert (model.embed.weight[4] != 0).all()


@pytest.mark.parametrize(
    "scheme", ["xavier_normal", "kaiming_uniform", "kaiming_normal", "trunc_normal"]
)
def test_scheme_equals_drop_in(scheme):
    model = ft.init_module_(SmallCNN(), seed=6, scheme=scheme)
    drop_in = getattr(ft, scheme + "_")
    arguments = {"std": 0.02, "a": -0.04, "b": 0.04} if scheme == "trunc_normal" else {}
    expected = drop_in(
        torch.empty(16, 8, 3, 3), **arguments, seed=6, stream="conv2.weight"
    )
    assert torch.equal(model.conv2.weight, expected)


def test_kaiming_options_passed():
    model = ft.init_module_(
        SmallCNN(),
        seed=6,
        scheme="kaiming_uniform",
        a=math.sqrt(5),
        nonlinearity="leaky_relu",
        mode="fan_out",
    )
    expected = ft.kaiming_uniform_(
        torch.empty(10, 16),
        a=math.sqrt(5),
        mode="fan_out",
        seed=6,
        stream="head.weight",
    )
    assert torch.equal(model.head.weight, expected)


def test_xavier_gain_passed():
    model = ft.init_module_(SmallCNN(), seed=6, gain=2.0)
    expected = ft.xavier_uniform_(
        torch.empty(10, 16), gain=2.0, seed=6, stream="head.weight"
    )
    assert torch.equal(model.head.weight, expected)


def test_bias_keep():
    model = SmallCNN()
    with torch.no_grad():
        model.head.bias.fill_(0.25)
        model.bn1.bias.fill_(0.5)
    ft.init_module_(model, seed=1, bias="keep")
    assert (model.head.bias == 0.25).all()
    assert (model.bn1.bias == 0.5).all()
    assert (model.bn1.weight == 1).all()


def test_prelu_slope_kept():
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.PReLU(4))
    ft.init_module_(model, seed=1)
    assert (model[1].weight == 0.25).all()


def test_prefix_matches_parent_names():
    model = SmallCNN()
    ft.init_module_(model, seed=4)
    alone = ft.init_module_(torch.nn.Linear(16, 10), seed=4, prefix="head")
    assert torch.equal(alone.weight, model.head.weight)


@pytest.mark.parametrize("dtype", DTYPES)
def test_module_dtypes(dtype):
    model = SmallCNN().to(dtype)
    ft.init_module_(model, seed=5)
    expected = ft.xavier_uniform_(
        torch.empty(8, 3, 3, 3, dtype=dtype), seed=5, stream="conv1.weight"
    )
    assert torch.equal(model.conv1.weight, expected)


def test_module_meta_parameter_writes_nothing():
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Linear(4, 4))
    model[1].to("meta")
    before = model[0].weight.detach().clone()
    with pytest.raises(ValueError, match=r"parameter '1.weight'.*to_empty"):
        ft.init_module_(model, seed=1)
    assert torch.equal(model[0].weight, before)


def test_module_materialized_from_meta():
    with torch.device("meta"):
        model = SmallCNN()
    model.to_empty(device="cpu")
    ft.init_module_(model, seed=9)
    expected = ft.init_module_(SmallCNN(), seed=9)
    for name, parameter in expected.named_parameters():
        assert torch.equal(model.get_parameter(name), parameter), name


def test_lazy_module_rejected():
    model = torch.nn.Sequential(torch.nn.LazyLinear(4))
    with pytest.raises(ValueError, match="lazy module is not materialized"):
        ft.init_module_(model, seed=1)


@pytest.mark.parametrize(
    "options, match",
    [
        ({"scheme": "orthogonal"}, "scheme='orthogonal' is invalid"),
        ({"bias": "uniform"}, "bias='uniform' is invalid"),
        ({"scheme": "kaiming_uniform", "gain": 2.0}, "does not use gain"),
        (
            {"scheme": "xavier_uniform", "nonlinearity": "relu"},
            "does not use nonlinearity",
        ),
        ({"scheme": "xavier_normal", "std": 0.1}, "does not use std"),
        ({"scheme": "kaiming_normal", "mode": "fan_avg"}, "Mode fan_avg not supported"),
        ({"scheme": "trunc_normal", "std": 0.0}, "std=0.0 is invalid"),
    ],
)
def test_module_bad_option_rejected(options, match):
    model = poison(SmallCNN())
    with pytest.raises(ValueError, match=match):
        ft.init_module_(model, seed=1, **options)
    assert all(torch.isnan(p).all() for p in model.parameters()), "nothing is written"


@pytest.mark.parametrize(
    "options, match",
    [
        ({"prefix": 3}, "prefix=3 has type int; expected a str"),
        ({"prefix": None}, "prefix=None has type NoneType; expected a str"),
        ({"scheme": 1}, "scheme=1 has type int; expected a str"),
        ({"scheme": ["xavier_uniform"]}, "scheme=\\['xavier_uniform'\\] has type list"),
        ({"bias": None}, "bias=None has type NoneType; expected a str"),
        ({"mode": 0}, "mode=0 has type int; expected a str"),
        ({"nonlinearity": torch.relu}, "nonlinearity=.* expected a str"),
        ({"gain": "2"}, "gain='2' has type str; expected a real number"),
        ({"a": None}, "a=None has type NoneType; expected a real number"),
        ({"std": True}, "std=True has type bool; expected a real number"),
        ({"threads": 1.5}, "threads=1.5 has type float; expected an integer"),
        ({"seed": "1"}, "seed='1' has type str; expected an integer"),
    ],
)
def test_module_option_wrong_type_rejected(options, match):
    model = poison(SmallCNN())
    kwargs = {"seed": 1, **options}

    with pytest.raises(TypeError, match=match):
        ft.init_module_(model, **kwargs)

    assert all(torch.isnan(p).all() for p in model.parameters()), "nothing is written"


def test_module_fill_error_writes_nothing():
    # Linear(4, 4) gets bound 1e6 * sqrt(6 / 8), which float16 cannot hold. The
    # float32 layer before it is checked and would fill, but nothing is written.
    model = poison(torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Linear(4, 4)))
    model[1].half()

    with pytest.raises(
        ValueError, match="parameter '1.weight': .*too large for float16"
    ):
        ft.init_module_(model, seed=1, gain=1e6)

    assert all(torch.isnan(p).all() for p in model.parameters()), "nothing is written"


@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors is a no-op")
def test_module_empty_parameter_accepted():
    model = torch.nn.Linear(0, 4)  # its own initialization warns
    assert ft.init_module_(model, seed=1) is model
    assert torch.equal(model.bias, torch.zeros(4))


def test_missing_torch_message_names_cpu_build():
    code = """
import sys
sys.modules["torch"] = None
try:
    import fastxavier.torch
except ImportError as error:
    print(error)
"""
    result = run_python(code, {})

    assert result.returncode == 0, result.stderr
    assert "pip install torch==2.13.0 --index-url" in result.stdout
    assert "https://download.pytorch.org/whl/cpu" in result.stdout


def test_module_wrong_type_rejected():
    with pytest.raises(TypeError, match="torch.nn.Module, got Tensor"):
        ft.init_module_(torch.empty(3, 3), seed=1)


def test_module_seed_required():
    with pytest.raises(TypeError, match="seed"):
        ft.init_module_(SmallCNN())
