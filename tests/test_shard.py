"""Shard fills: any part of a large array gets the values of a full fill."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fastxavier
from fastxavier import reference

FILLS = ["uniform_", "normal_", "trunc_normal_"]


def fill(name, array, **kwargs):
    return getattr(fastxavier, name)(array, seed=21, stream=3, **kwargs)


@pytest.mark.parametrize("name", FILLS)
@pytest.mark.parametrize(
    "index",
    [
        (slice(0, 50), slice(None)),  # rows
        (slice(None), slice(10, 33)),  # columns
        (slice(17, 61), slice(5, 77)),  # block
        (slice(99, 100), slice(0, 1)),  # one element, odd position
        (slice(3, 90, 7), slice(80, 2, -5)),  # steps, reversed
        (42,),  # one row by an integer
        (slice(None), 13),  # one column by an integer
    ],
    ids=["rows", "columns", "block", "one_element", "stepped", "int_row", "int_column"],
)
def test_shard_equals_full_fill(name, index, float_dtype):
    full = fill(name, np.empty((100, 80), dtype=float_dtype))
    expected = full[index]
    shard = np.full(expected.shape, np.nan, dtype=float_dtype)
    fill(name, shard, global_shape=(100, 80), index=index)
    assert shard.tobytes() == np.ascontiguousarray(expected).tobytes()


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_random_splits(data):
    shape = data.draw(st.lists(st.integers(1, 12), min_size=2, max_size=4))
    index = tuple(
        slice(*sorted(data.draw(st.lists(st.integers(0, n), min_size=2, max_size=2))))
        for n in shape
    )
    name = data.draw(st.sampled_from(FILLS))
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    full = fill(name, np.empty(shape, dtype=dtype))
    expected = full[index]
    shard = np.empty(expected.shape, dtype=dtype)
    fill(name, shard, global_shape=tuple(shape), index=index)
    assert shard.tobytes() == np.ascontiguousarray(expected).tobytes()


@pytest.mark.parametrize("name", FILLS)
def test_uneven_row_split_reassembles(name):
    full = fill(name, np.empty((1000, 33), dtype=np.float32))
    cuts = [0, 1, 333, 334, 999, 1000]
    parts = []
    for start, stop in zip(cuts, cuts[1:]):
        part = np.empty((stop - start, 33), dtype=np.float32)
        fill(name, part, global_shape=(1000, 33), index=(slice(start, stop),))
        parts.append(part)
    assert np.concatenate(parts).tobytes() == full.tobytes()


def test_fans_come_from_global_shape():
    shard = np.empty((10, 80), dtype=np.float64)
    fastxavier.uniform_(shard, seed=1, global_shape=(100, 80), index=(slice(0, 10),))
    explicit = np.empty((10, 80), dtype=np.float64)
    fastxavier.uniform_(
        explicit, 80, 100, seed=1, global_shape=(100, 80), index=(slice(0, 10),)
    )
    assert shard.tobytes() == explicit.tobytes()


@pytest.mark.parametrize("name", FILLS)
def test_offsets_past_2_32(name, float_dtype):
    # A (2^17, 2^17) array has 2^34 elements: the last rows start past 2^32.
    global_shape = (2**17, 2**17)
    index = (slice(2**17 - 3, 2**17), slice(2**17 - 40, 2**17))
    shard = np.empty((3, 40), dtype=float_dtype)
    fill(name, shard, global_shape=global_shape, index=index)
    expected = np.empty((3, 40), dtype=float_dtype)
    getattr(reference, name)(
        expected, seed=21, stream=3, global_shape=global_shape, index=index
    )
    assert shard.tobytes() == expected.tobytes()


def test_shard_matches_reference_half():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    index = (slice(5, 50, 3), slice(None, None, -1))
    shard = np.empty((15, 30), dtype=ml_dtypes.bfloat16)
    expected = np.empty((15, 30), dtype=ml_dtypes.bfloat16)
    fastxavier.normal_(shard, seed=2, global_shape=(60, 30), index=index)
    reference.normal_(expected, seed=2, global_shape=(60, 30), index=index)
    assert shard.tobytes() == expected.tobytes()


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (
            {"global_shape": (100, 80), "index": (slice(0, 5),)},
            ValueError,
            "selects shape",
        ),
        ({"index": (slice(0, 10),)}, ValueError, "index needs global_shape"),
        ({"global_shape": (100, 80), "index": (5, 5, 5)}, ValueError, "3 entries"),
        ({"global_shape": (100, 80), "index": (100,)}, ValueError, "out of range"),
        ({"global_shape": "100x80"}, TypeError, "expected a tuple of integers"),
        ({"global_shape": (100, -80)}, ValueError, "negative extent"),
    ],
)
def test_bad_shard_arguments(kwargs, error, match):
    shard = np.arange(800, dtype=np.float32).reshape(10, 80)
    before = shard.copy()
    with pytest.raises(error, match=match):
        fastxavier.uniform_(shard, seed=1, **kwargs)
    assert np.array_equal(shard, before)


@pytest.mark.parametrize("name", FILLS)
def test_reference_past_2_63(name):
    # Stream indices in the upper half of the 64-bit range, on both layers.
    args = () if name == "trunc_normal_" else (1, 1)
    kwargs = {
        "seed": 21,
        "stream": 3,
        "global_shape": (2**64 - 1,),
        "index": (slice(2**64 - 9, 2**64 - 1),),
    }
    shard = getattr(fastxavier, name)(np.empty(8), *args, **kwargs)
    expected = getattr(reference, name)(np.empty(8), *args, **kwargs)
    assert shard.tobytes() == expected.tobytes()
