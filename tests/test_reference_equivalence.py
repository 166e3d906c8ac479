"""The compiled kernel against the pure-NumPy reference, bit for bit."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastxavier
from fastxavier import _core, reference

UNIFORM = 1
NORMAL = 2
U64 = (1 << 64) - 1
LANE_SIZES = sorted(
    {n + d for n in (4, 8, 16, 32, 64, 1024, 2048, 4096) for d in (-1, 0, 1)}
)


def kernel_values(distribution, dtype, param, seed, stream, first, count, threads=1):
    out = np.full(count, np.nan, dtype=dtype)
    _core.fill(out, distribution, seed, stream, threads, param=param, first=first)
    return out


def reference_values(distribution, dtype, param, seed, stream, first, count):
    if distribution == UNIFORM:
        return reference.uniform_values(dtype, param, seed, stream, first, count)
    return reference.normal_values(dtype, param, seed, stream, first, count)


def assert_bits_equal(actual, expected, context):
    """Assert equal bytes; on failure name the first differing element."""
    actual = np.ascontiguousarray(actual).reshape(-1)
    expected = np.ascontiguousarray(expected, dtype=actual.dtype).reshape(-1)
    assert actual.size == expected.size, f"{context}: sizes differ"
    if actual.tobytes() == expected.tobytes():
        return
    width = actual.dtype.itemsize
    actual_bytes = actual.view(np.uint8).reshape(-1, width)
    expected_bytes = expected.view(np.uint8).reshape(-1, width)
    index = int(np.flatnonzero((actual_bytes != expected_bytes).any(axis=1))[0])
    raise AssertionError(
        f"{context}: element {index} is {actual[index]!r}, "
        f"reference {expected[index]!r}"
    )


@pytest.mark.parametrize("distribution", [UNIFORM, NORMAL], ids=["uniform", "normal"])
@pytest.mark.parametrize("count", list(range(71)))
def test_small_sizes(distribution, float_dtype, count):
    actual = kernel_values(distribution, float_dtype, 0.5, 7, 3, 0, count)
    expected = reference_values(distribution, float_dtype, 0.5, 7, 3, 0, count)
    assert_bits_equal(actual, expected, f"seed=7 stream=3 count={count}")


@pytest.mark.parametrize("distribution", [UNIFORM, NORMAL], ids=["uniform", "normal"])
@pytest.mark.parametrize("count", LANE_SIZES)
@pytest.mark.parametrize("first", [0, 1, 3, 1023, 4095])
def test_lane_and_chunk_boundaries(distribution, float_dtype, count, first):
    actual = kernel_values(distribution, float_dtype, 1.25, 11, 0, first, count)
    expected = reference_values(distribution, float_dtype, 1.25, 11, 0, first, count)
    assert_bits_equal(actual, expected, f"seed=11 first={first} count={count}")


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, U64),
    stream=st.integers(0, U64),
    first=st.one_of(st.integers(0, 10_000), st.integers(0, (1 << 63) - 1)),
    count=st.integers(0, 3000),
    distribution=st.sampled_from([UNIFORM, NORMAL]),
    dtype=st.sampled_from([np.float32, np.float64]),
    param=st.floats(1e-6, 1e3),
    threads=st.integers(1, 4),
)
def test_random_cases(seed, stream, first, count, distribution, dtype, param, threads):
    actual = kernel_values(
        distribution, dtype, param, seed, stream, first, count, threads
    )
    expected = reference_values(distribution, dtype, param, seed, stream, first, count)
    context = f"seed={seed} stream={stream} first={first} count={count}"
    assert_bits_equal(actual, expected, context)


@settings(max_examples=100, deadline=None)
@given(
    seed=st.integers(0, U64),
    stream=st.integers(0, U64),
    start=st.one_of(st.integers(0, 1 << 20), st.integers(0, (1 << 66) - 5000)),
    count=st.integers(0, 4000),
)
def test_random_words(seed, stream, start, count):
    out = np.zeros(count, dtype=np.uint32)
    fastxavier.bits_(out, seed=seed, stream=stream, start=start)
    expected = reference.words(seed, stream, start, count)
    assert_bits_equal(out, expected, f"seed={seed} stream={stream} start={start}")


@pytest.mark.parametrize("function", ["uniform_", "normal_"])
def test_prefix_of_longer_fill(function, float_dtype):
    long = np.empty(10_001, dtype=float_dtype)
    getattr(fastxavier, function)(long, 30, 40, seed=5)
    for count in (1, 2, 3, 17, 1000, 4097, 10_000):
        short = np.empty(count, dtype=float_dtype)
        getattr(fastxavier, function)(short, 30, 40, seed=5)
        assert_bits_equal(short, long[:count], f"count={count}")


@pytest.mark.parametrize("function", ["uniform_", "normal_"])
def test_public_fill_matches_reference(function, float_dtype):
    actual = np.empty((33, 17, 3), dtype=float_dtype)
    expected = np.empty((33, 17, 3), dtype=float_dtype)
    getattr(fastxavier, function)(actual, gain=1.5, seed=9, stream=2)
    getattr(reference, function)(expected, gain=1.5, seed=9, stream=2)
    assert_bits_equal(actual, expected, f"{function} seed=9 stream=2")


def make_layouts(dtype):
    """Return (name, base buffer, view) for every layout the fill must handle."""
    layouts = []
    base = np.full((40, 30), np.nan, dtype=dtype)
    layouts.append(("c_order", base, base))
    base = np.full((40, 30), np.nan, dtype=dtype, order="F")
    layouts.append(("f_order", base, base))
    base = np.full((80, 90), np.nan, dtype=dtype)
    layouts.append(("strided", base, base[::2, ::3]))
    base = np.full((40, 30), np.nan, dtype=dtype)
    layouts.append(("negative_strides", base, base[::-1, ::-2]))
    base = np.full((6, 7, 8), np.nan, dtype=dtype)
    layouts.append(("transposed_3d", base, base.transpose(2, 0, 1)))
    raw = np.zeros(40 * 30 * dtype.itemsize + 1, dtype=np.uint8)
    misaligned = raw[1:].view(dtype).reshape(40, 30)
    misaligned.fill(np.nan)
    layouts.append(("misaligned", misaligned, misaligned))
    base = np.full((4, 5000), np.nan, dtype=dtype)
    layouts.append(("long_columns", base, base[:, ::-1].T))
    return layouts


@pytest.mark.parametrize("function", ["uniform_", "normal_"])
@pytest.mark.parametrize(
    "layout",
    [
        "c_order",
        "f_order",
        "strided",
        "negative_strides",
        "transposed_3d",
        "misaligned",
        "long_columns",
    ],
)
@pytest.mark.parametrize("threads", [1, 3], ids=["threads=1", "threads=3"])
def test_layouts_in_logical_order(function, layout, threads, float_dtype):
    name, base, view = next(
        item for item in make_layouts(float_dtype) if item[0] == layout
    )
    fan_in, fan_out = 10, 20
    getattr(fastxavier, function)(view, fan_in, fan_out, seed=4, threads=threads)
    expected = np.empty(view.shape, dtype=float_dtype)
    getattr(reference, function)(expected, fan_in, fan_out, seed=4)
    assert_bits_equal(view, expected, f"layout={name}")
    # The base was NaN-filled: exactly the elements outside the view must still be NaN.
    assert int(np.isnan(base).sum()) == base.size - view.size


def test_memory_mapped_array(tmp_path, float_dtype):
    path = tmp_path / "weights.bin"
    mapped = np.memmap(path, dtype=float_dtype, mode="w+", shape=(300, 200))
    fastxavier.uniform_(mapped, seed=3)
    mapped.flush()
    expected = reference.uniform_(np.empty((300, 200), dtype=float_dtype), seed=3)
    reread = np.fromfile(path, dtype=float_dtype).reshape(300, 200)
    assert_bits_equal(reread, expected, "memmap")


@pytest.mark.parametrize("bound", [1e-30, 1e-3, 0.25, 1.0, 3.0, 1e30])
def test_uniform_bounds_match_reference(bound, float_dtype):
    actual = kernel_values(UNIFORM, float_dtype, bound, 1, 1, 0, 5000)
    expected = reference_values(UNIFORM, float_dtype, bound, 1, 1, 0, 5000)
    assert_bits_equal(actual, expected, f"bound={bound}")
    assert math.isfinite(float(np.abs(actual).max()))


@pytest.mark.parametrize("function", ["uniform_", "normal_"])
@pytest.mark.parametrize(
    "fans", [(1, 1), (3, 5), (2**40, 7), (2**52, 2**52 - 1)], ids=str
)
def test_fast_and_checked_paths_agree(function, fans, float_dtype):
    # Exact ints and floats take the C++ fast path, NumPy scalars the Python checks.
    fast = np.empty(100, dtype=float_dtype)
    checked = np.empty(100, dtype=float_dtype)
    getattr(fastxavier, function)(fast, *fans, gain=0.7, seed=3, stream=1)
    getattr(fastxavier, function)(
        checked,
        np.uint64(fans[0]),
        np.uint64(fans[1]),
        gain=np.float64(0.7),
        seed=np.uint64(3),
        stream=1,
    )
    assert_bits_equal(fast, checked, f"fans={fans}")


@pytest.mark.parametrize("function", ["uniform_", "normal_"])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("threads", [1, 3], ids=["threads=1", "threads=3"])
def test_f_order_tiles(function, dtype, threads):
    # F-ordered arrays are written a tile of adjacent rows at a time. Sizes that are not
    # multiples of the tile, and 3-D transposes, cover its edges.
    for shape, axes in (((1000, 300), (0, 1)), ((37, 513, 5), (2, 1, 0))):
        view = np.empty(shape, dtype=dtype, order="F").transpose(axes)
        getattr(fastxavier, function)(view, 3, 5, seed=4, threads=threads)
        expected = getattr(reference, function)(
            np.empty(view.shape, dtype=dtype), 3, 5, seed=4
        )
        assert_bits_equal(view, expected, f"shape={shape} axes={axes}")
