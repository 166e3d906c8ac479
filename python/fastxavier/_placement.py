"""Stream positions of an array's elements: whole arrays and shards of a larger one.

A shard fill writes into `array` exactly the values that a fill of an array of
`global_shape` would hold at `global_array[index]`. Element (i_0, ..., i_n) of the shard
gets stream element first + sum(i_d * index_strides[d]), where first and the strides
come from the C-order strides of the global shape and the slices of `index`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from ._checks import UINT64_LIMIT, check_integer


@dataclass(frozen=True)
class Placement:
    """Stream position of an array: first index and per-axis steps (None: C order)."""

    first: int = 0
    index_strides: Optional[tuple[int, ...]] = None
    fan_shape: Optional[tuple[int, ...]] = None  # shape to take default fans from


WHOLE = Placement()


def _check_global_shape(global_shape) -> tuple[int, ...]:
    if isinstance(global_shape, (str, bytes)) or not hasattr(global_shape, "__iter__"):
        raise TypeError(
            f"global_shape={global_shape!r} is invalid; expected a tuple of integers"
        )
    shape = tuple(
        check_integer(extent, "global_shape entry") for extent in global_shape
    )
    if any(extent < 0 for extent in shape):
        raise ValueError(f"global_shape={shape} has a negative extent")
    if math.prod(shape) > UINT64_LIMIT:
        raise ValueError(f"global_shape={shape} has more than 2**64 elements")
    return shape


def _index_entries(index, ndim: int) -> list:
    entries = list(index) if isinstance(index, tuple) else [index]
    if len(entries) > ndim:
        raise ValueError(
            f"index has {len(entries)} entries but global_shape has {ndim} dimensions"
        )
    return entries + [slice(None)] * (ndim - len(entries))


def shard_placement(shard_shape: tuple[int, ...], global_shape, index) -> Placement:
    """Return the placement of a shard, checking that its shape matches the index.

    `index` is what would select the shard from the global array with NumPy basic
    indexing: a slice or an integer per leading dimension (a tuple of them, or one).
    """
    shape = _check_global_shape(global_shape)
    if index is None:
        index = ()
    steps = [1] * len(shape)
    for d in range(len(shape) - 2, -1, -1):
        steps[d] = steps[d + 1] * shape[d + 1]

    first = 0
    shard_steps: list[int] = []
    selected: list[int] = []
    for d, entry in enumerate(_index_entries(index, len(shape))):
        if isinstance(entry, slice):
            if entry.step == 0:
                raise ValueError(f"index entry {entry!r} is invalid: slice step 0")
            start, stop, step = entry.indices(shape[d])
            selected.append(len(range(start, stop, step)))
            shard_steps.append(step * steps[d])
            first += start * steps[d]
            continue
        if entry is None or entry is Ellipsis:
            raise TypeError(
                f"index entry {entry!r} is invalid; expected a slice or an integer"
            )
        position = check_integer(entry, "index entry")
        if not -shape[d] <= position < shape[d]:
            raise ValueError(
                f"index entry {position} is out of range for dimension {d} of extent "
                f"{shape[d]}"
            )
        first += (position % shape[d]) * steps[d]

    if tuple(selected) != tuple(shard_shape):
        raise ValueError(
            f"array has shape {tuple(shard_shape)} but global_shape={shape} at "
            f"index={index!r} selects shape {tuple(selected)}"
        )
    return Placement(first, tuple(shard_steps), shape)


def placement_of(array, global_shape, index) -> Placement:
    """Return the placement of a fill: the whole array, or a shard of global_shape."""
    if global_shape is None:
        if index is not None:
            raise ValueError(
                "index needs global_shape: pass the shape of the full array"
            )
        return WHOLE
    return shard_placement(array.shape, global_shape, index)
