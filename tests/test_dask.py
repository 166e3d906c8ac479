"""Tests of fastxavier.dask: lazy arrays that equal the single-process fill bit for bit.

The cluster tests start one LocalCluster of two worker processes on 127.0.0.1 for the
whole module and close it in the fixture's finalizer.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest
from _support import run_python

import fastxavier

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
zarr = pytest.importorskip("zarr")
fxd = pytest.importorskip("fastxavier.dask")

from dask.local import get_sync  # noqa: E402
from distributed.diagnostics.plugin import SchedulerPlugin  # noqa: E402

# Seconds that one cluster step (start, compute, close) may take before the test fails.
CLUSTER_TIMEOUT = 60

SHAPE = (100, 70)
CHUNKINGS = {
    "rows": (13, -1),
    "columns": (-1, 9),
    "blocks": (32, 16),
    "uneven": ((40, 1, 59), (7, 50, 13)),
    "single": -1,
}

# Each case: (lazy constructor, in-place fill, positional arguments, keyword arguments).
DISTRIBUTIONS = {
    "uniform": (fxd.uniform, fastxavier.uniform_, (), {"gain": 1.5}),
    "normal": (fxd.normal, fastxavier.normal_, (), {"gain": 0.5}),
    "trunc_normal": (
        fxd.trunc_normal,
        fastxavier.trunc_normal_,
        (0.25, 0.5, -0.5, 1.0),
        {},
    ),
}

DTYPES = ["float32", "float64", "float16", "bfloat16"]


def resolve_dtype(name: str) -> np.dtype:
    if name == "bfloat16":
        ml_dtypes = pytest.importorskip("ml_dtypes")
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def bits(array: np.ndarray) -> np.ndarray:
    """Return the array's bits as unsigned integers, so NaN and -0.0 compare exactly."""
    return np.ascontiguousarray(array).view(f"u{array.dtype.itemsize}")


def full_fill(fill, shape, dtype, args=(), kwargs=None, **key) -> np.ndarray:
    array = np.empty(shape, dtype=dtype)
    return fill(array, *args, **(kwargs or {}), **key)


def assert_bit_equal(actual: np.ndarray, expected: np.ndarray) -> None:
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype
    np.testing.assert_array_equal(bits(actual), bits(expected))


# ---- equality with the single-process fill ------------------------------------------


@pytest.mark.parametrize("chunking", list(CHUNKINGS))
@pytest.mark.parametrize("dtype_name", DTYPES)
@pytest.mark.parametrize("distribution", list(DISTRIBUTIONS))
def test_lazy_equals_full_fill(distribution, dtype_name, chunking):
    dtype = resolve_dtype(dtype_name)
    lazy_fill, fill, args, kwargs = DISTRIBUTIONS[distribution]
    lazy = lazy_fill(
        SHAPE, CHUNKINGS[chunking], *args, seed=11, stream=3, dtype=dtype_name, **kwargs
    )
    expected = full_fill(fill, SHAPE, dtype, args, kwargs, seed=11, stream=3)

    assert lazy.dtype == dtype
    assert_bit_equal(lazy.compute(scheduler="threads"), expected)


@pytest.mark.parametrize(
    ("shape", "chunks", "fans"),
    [
        ((16, 8, 3, 3), (5, 3, 2, 3), {}),
        ((7, 9, 11), (2, 4, 5), {}),
        ((1001,), 97, {"fan_in": 30, "fan_out": 20}),
        ((3, 1), 1, {}),
    ],
)
@pytest.mark.parametrize("distribution", ["uniform", "normal"])
def test_lazy_equals_full_fill_other_shapes(distribution, shape, chunks, fans):
    lazy_fill, fill, _, _ = DISTRIBUTIONS[distribution]
    lazy = lazy_fill(shape, chunks, seed=2, dtype="float64", **fans)
    expected = full_fill(fill, shape, np.float64, kwargs=fans, seed=2)

    assert_bit_equal(lazy.compute(scheduler="threads"), expected)


def test_trunc_normal_zero_dimensional():
    lazy = fxd.trunc_normal((), (), seed=4)
    expected = full_fill(fastxavier.trunc_normal_, (), np.float32, seed=4)

    assert_bit_equal(lazy.compute(), expected)


def test_empty_shape_computes_empty():
    lazy = fxd.uniform((0, 5), 2, seed=1)

    assert lazy.compute().shape == (0, 5)


def test_chunks_auto_equals_full_fill():
    lazy = fxd.normal((300, 200), "auto", seed=9, dtype="float16")
    expected = full_fill(fastxavier.normal_, (300, 200), np.float16, seed=9)

    assert_bit_equal(lazy.compute(), expected)


def test_threads_do_not_change_values():
    single_thread = fxd.normal(SHAPE, 32, seed=5, threads=1).compute()
    default_threads = fxd.normal(SHAPE, 32, seed=5, threads=None).compute()

    assert_bit_equal(default_threads, single_thread)


def test_from_fill_with_public_fill():
    lazy = fxd.from_fill(fastxavier.uniform_, SHAPE, (30, 30), 40, seed=6, gain=2.0)
    expected = full_fill(
        fastxavier.uniform_, SHAPE, np.float32, (40,), {"gain": 2.0}, seed=6
    )

    assert_bit_equal(lazy.compute(), expected)


# Positional arguments of the family members that need some, beyond the array.
FAMILY_ARGUMENTS = {
    "kaiming_normal": (0.2, "fan_out", "leaky_relu"),
    "variance_scaling": (0.5, "fan_avg", "truncated_normal"),
}


@pytest.mark.parametrize("name", fxd.FAMILY_NAMES)
def test_family_member_equals_full_fill(name):
    fill = getattr(fastxavier, name + "_", None)
    if fill is None:
        pytest.skip(f"fastxavier has no {name}_")
    args = FAMILY_ARGUMENTS.get(name, ())
    lazy = getattr(fxd, name)(
        (64, 48, 3), (20, 17, 2), *args, seed=8, stream=1, dtype="float64"
    )
    expected = full_fill(fill, (64, 48, 3), np.float64, args, seed=8, stream=1)

    assert lazy.name.startswith(f"fastxavier-{name}-")
    assert_bit_equal(lazy.compute(), expected)


def test_family_member_in_dir():
    present = [name for name in fxd.FAMILY_NAMES if hasattr(fastxavier, name + "_")]

    assert set(present) <= set(dir(fxd))


def test_missing_family_member_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'no_such_init'"):
        fxd.no_such_init  # noqa: B018


# ---- graph ---------------------------------------------------------------------------


def test_graph_has_one_task_per_chunk():
    lazy = fxd.normal(SHAPE, CHUNKINGS["uneven"], seed=1)
    graph = dict(lazy.__dask_graph__())
    expected_keys = {(lazy.name, i, j) for i in range(3) for j in range(3)}

    assert set(graph) == expected_keys


def test_each_task_returns_its_chunk():
    lazy = fxd.normal(SHAPE, CHUNKINGS["uneven"], seed=1)
    graph = dict(lazy.__dask_graph__())
    keys = sorted(graph)
    expected = full_fill(fastxavier.normal_, SHAPE, np.float32, seed=1)
    starts = [np.cumsum((0,) + chunks) for chunks in lazy.chunks]

    for key, block in zip(keys, get_sync(graph, keys)):
        _, i, j = key
        rows = slice(starts[0][i], starts[0][i + 1])
        columns = slice(starts[1][j], starts[1][j + 1])
        assert block.shape == (lazy.chunks[0][i], lazy.chunks[1][j]), key
        assert_bit_equal(block, expected[rows, columns])


def test_tasks_allocate_only_their_block():
    shapes = []

    def recording_fill(array, *args, **kwargs):
        shapes.append(array.shape)
        return fastxavier.uniform_(array, *args, **kwargs)

    lazy = fxd.from_fill(recording_fill, SHAPE, CHUNKINGS["uneven"], seed=1)
    shapes.clear()  # drops the one-element fill that checks the arguments
    lazy.compute(scheduler="synchronous")
    chunk_shapes = [
        (rows, columns) for rows in lazy.chunks[0] for columns in lazy.chunks[1]
    ]

    assert sorted(shapes) == sorted(chunk_shapes)


def test_identical_calls_share_keys():
    first = fxd.uniform(SHAPE, 32, seed=1, stream="w")
    same = fxd.uniform(
        SHAPE, (32, 32), seed=1, stream=fastxavier.stream_of_name("w"), threads=None
    )

    assert same.name == first.name
    assert first.name.startswith("fastxavier-uniform-")


@pytest.mark.parametrize(
    "change",
    [
        {"seed": 2},
        {"stream": "v"},
        {"dtype": "float64"},
        {"gain": 2.0},
        {"chunks": 16},
        {"shape": (100, 71)},
    ],
)
def test_different_arguments_get_different_keys(change):
    arguments = {"shape": SHAPE, "chunks": 32, "seed": 1, "stream": "w"}
    first = fxd.uniform(**arguments)
    changed = fxd.uniform(**{**arguments, **change})

    assert changed.name != first.name


def test_distributions_get_different_keys():
    uniform = fxd.uniform(SHAPE, 32, seed=1)
    normal = fxd.normal(SHAPE, 32, seed=1)

    assert uniform.name != normal.name


# ---- eager validation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("distribution", "shape", "args", "kwargs"),
    [
        ("uniform", SHAPE, (), {"gain": -1.0, "seed": 1}),
        ("uniform", SHAPE, (0,), {"seed": 1}),
        ("uniform", SHAPE, (), {"seed": 2**64}),
        ("uniform", SHAPE, (), {"seed": 1.5}),
        ("uniform", SHAPE, (), {"seed": 1, "stream": -1}),
        ("uniform", SHAPE, (), {"seed": 1, "threads": 0}),
        ("normal", (10,), (), {"seed": 1}),
        ("normal", SHAPE, (), {"seed": 1, "gain": float("nan")}),
        ("trunc_normal", SHAPE, (0.0, 0.0), {"seed": 1}),
        ("trunc_normal", SHAPE, (0.0, 1.0, 2.0, 1.0), {"seed": 1}),
        ("trunc_normal", SHAPE, (0.0, 1.0, 40.0, 41.0), {"seed": 1}),
    ],
)
def test_invalid_arguments_raise_as_numpy_fill(distribution, shape, args, kwargs):
    lazy_fill, fill, _, _ = DISTRIBUTIONS[distribution]
    with pytest.raises((TypeError, ValueError)) as numpy_error:
        fill(np.empty(shape, dtype=np.float32), *args, **kwargs)
    with pytest.raises(numpy_error.type) as lazy_error:
        lazy_fill(shape, 4, *args, **kwargs)

    assert str(lazy_error.value) == str(numpy_error.value)


def test_family_member_raises_as_numpy_fill():
    if not hasattr(fastxavier, "kaiming_uniform_"):
        pytest.skip("fastxavier has no kaiming_uniform_")
    with pytest.raises(ValueError) as numpy_error:
        fastxavier.kaiming_uniform_(
            np.empty(SHAPE, np.float32), 0, "fan_sideways", seed=1
        )
    with pytest.raises(ValueError) as lazy_error:
        fxd.kaiming_uniform(SHAPE, 4, 0, "fan_sideways", seed=1)

    assert str(lazy_error.value) == str(numpy_error.value)


def test_seed_none_raises_with_reason():
    with pytest.raises(ValueError, match=r"seed=None is invalid.*explicit seed"):
        fxd.uniform(SHAPE, 32, seed=None)


def test_missing_seed_raises_type_error():
    with pytest.raises(TypeError, match="seed"):
        fxd.normal(SHAPE, 32)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("dtype", "error", "message"),
    [
        (
            "int32",
            TypeError,
            "dtype=int32 is not supported; expected one of float16, bfloat16, "
            "float32, float64",
        ),
        ("complex64", TypeError, "dtype=complex64 is not supported"),
        ("no-such-dtype", TypeError, "dtype='no-such-dtype' is not a NumPy dtype"),
        (
            ">f8",
            ValueError,
            "dtype='>f8' has non-native byte order; expected one of float16, "
            "bfloat16, float32, float64 in native byte order",
        ),
    ],
)
def test_invalid_dtype_raises(dtype, error, message):
    with pytest.raises(error, match=message):
        fxd.uniform(SHAPE, 32, seed=1, dtype=dtype)


@pytest.mark.parametrize("dtype", ["int32", ">f4", "no-such-dtype"])
def test_invalid_dtype_message_equals_allocating_form(dtype):
    with pytest.raises((TypeError, ValueError)) as lazy:
        fxd.glorot_uniform(SHAPE, 32, seed=1, dtype=dtype)
    with pytest.raises((TypeError, ValueError)) as eager:
        fastxavier.glorot_uniform(SHAPE, dtype, seed=1)

    assert type(lazy.value) is type(eager.value)
    assert str(lazy.value) == str(eager.value)


def test_dtype_none_is_float32():
    assert fxd.uniform(SHAPE, 32, seed=1, dtype=None).dtype == np.float32


def test_missing_ml_dtypes_raises_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "ml_dtypes", None)  # makes `import` fail

    with pytest.raises(ImportError, match="`pip install ml_dtypes`") as lazy:
        fxd.uniform(SHAPE, 32, seed=1, dtype="bfloat16")
    with pytest.raises(ImportError) as eager:
        fastxavier.glorot_uniform(SHAPE, "bfloat16", seed=1)

    assert str(lazy.value) == str(eager.value)


@pytest.mark.parametrize(
    ("shape", "error", "message"),
    [
        ((10, -1), ValueError, "shape=\\(10, -1\\) has a negative extent"),
        ("10x10", TypeError, "shape='10x10' is invalid"),
        ((10, 2.5), TypeError, "shape=\\(10, 2.5\\) is invalid"),
        (
            (2**40, 2**40),
            ValueError,
            "shape=\\(1099511627776, 1099511627776\\) has "
            "1208925819614629174706176 elements, more than 2\\*\\*64, the length of "
            "a stream",
        ),
        (
            (2**32, 2**32 + 1),
            ValueError,
            "shape=\\(4294967296, 4294967297\\) has .* elements, more than 2",
        ),
        (
            (0, 2**70),
            ValueError,
            "shape=\\(0, 1180591620717411303424\\) has an extent above "
            "9223372036854775807",
        ),
        ((1,) * 70, ValueError, "shape=\\(1, 1, .*\\) is invalid: .*dimension"),
    ],
)
def test_invalid_shape_raises(shape, error, message):
    with pytest.raises(error, match=message) as raised:
        fxd.uniform(shape, 4, 1, 1, seed=1)
    assert "global_shape" not in str(raised.value)


def test_missing_dask_message_names_source_install():
    code = """
import sys
sys.modules["dask"] = None
try:
    import fastxavier.dask
except ImportError as error:
    print(error)
"""
    result = run_python(code, {})

    assert result.returncode == 0, result.stderr
    assert '`pip install ".[dask]"`' in result.stdout
    assert "fastxavier[dask]" not in result.stdout


def test_integer_shape_is_one_dimensional():
    lazy = fxd.trunc_normal(50, 7, seed=3)
    expected = full_fill(fastxavier.trunc_normal_, (50,), np.float32, seed=3)

    assert_bit_equal(lazy.compute(), expected)


# ---- a real cluster of two worker processes ------------------------------------------


class ResultSizes(SchedulerPlugin):
    """Record the size in bytes of every task result that reaches the scheduler."""

    def __init__(self, scheduler):
        self.scheduler = scheduler
        self.sizes: dict = {}

    def transition(self, key, start, finish, *args, **kwargs):
        if finish == "memory":
            self.sizes[key] = self.scheduler.tasks[key].nbytes


@pytest.fixture(scope="module")
def cluster():
    local_cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        timeout=CLUSTER_TIMEOUT,
    )
    client = distributed.Client(local_cluster, timeout=CLUSTER_TIMEOUT)
    yield local_cluster, client
    client.close(timeout=CLUSTER_TIMEOUT)
    local_cluster.close(timeout=CLUSTER_TIMEOUT)


@pytest.fixture
def result_sizes(cluster):
    local_cluster, _ = cluster
    plugin = ResultSizes(local_cluster.scheduler)
    local_cluster.scheduler.add_plugin(plugin, name="fastxavier-result-sizes")
    yield plugin.sizes
    local_cluster.scheduler.remove_plugin(name="fastxavier-result-sizes")


def compute_on(client, collection):
    return client.compute(collection).result(timeout=CLUSTER_TIMEOUT)


@pytest.mark.parametrize("dtype_name", ["float32", "bfloat16"])
@pytest.mark.parametrize("distribution", list(DISTRIBUTIONS))
def test_cluster_compute_equals_full_fill(cluster, distribution, dtype_name):
    _, client = cluster
    dtype = resolve_dtype(dtype_name)
    lazy_fill, fill, args, kwargs = DISTRIBUTIONS[distribution]
    lazy = lazy_fill(
        (300, 257), (64, 50), *args, seed=21, stream=2, dtype=dtype_name, **kwargs
    )
    expected = full_fill(fill, (300, 257), dtype, args, kwargs, seed=21, stream=2)

    assert_bit_equal(compute_on(client, lazy), expected)


def test_cluster_tasks_hold_one_chunk_each(cluster, result_sizes):
    _, client = cluster
    lazy = fxd.normal((1000, 700), (256, 300), seed=5)
    persisted = client.persist(lazy)
    distributed.wait(persisted, timeout=CLUSTER_TIMEOUT)
    chunk_bytes = {
        (lazy.name, i, j): rows * columns * 4
        for i, rows in enumerate(lazy.chunks[0])
        for j, columns in enumerate(lazy.chunks[1])
    }

    assert {key: result_sizes[key] for key in chunk_bytes} == chunk_bytes
    assert set(result_sizes) == set(chunk_bytes)


def test_cluster_to_zarr_round_trip(cluster, result_sizes, tmp_path):
    _, client = cluster
    shape, chunks = (4096, 4096), (512, 512)
    path = str(tmp_path / "weights.zarr")
    lazy = fxd.uniform(shape, chunks, seed=42, stream="layer.0.weight")
    chunk_bytes = 512 * 512 * 4
    array_bytes = math.prod(shape) * 4

    assert len(dict(lazy.__dask_graph__())) == 64
    compute_on(client, lazy.to_zarr(path, compute=False))
    written = zarr.open_array(path, mode="r")
    expected = full_fill(
        fastxavier.uniform_, shape, np.float32, seed=42, stream="layer.0.weight"
    )

    assert written.chunks == chunks
    assert_bit_equal(written[...], expected)
    # Every chunk is filled and stored by its own task, and no result exceeds a chunk.
    chunk_results = [key for key in result_sizes if isinstance(key, tuple)]
    assert len(chunk_results) == 64
    assert max(result_sizes.values()) <= chunk_bytes < array_bytes
