"""Lazy dask arrays of fastxavier initial weights, filled block by block.

Each block of the returned :class:`dask.array.Array` is one task: it allocates the
block with ``numpy.empty`` and fills it with a fastxavier shard fill at the block's
position in the full array. Because every value is a pure function of (seed, stream,
element index), the computed array equals the single-process fill of the whole shape
bit for bit, whatever the chunks, scheduler or cluster. No task reads another block,
so no task ever holds more than its own block.

This module imports dask when it is imported; ``import fastxavier`` never imports it.

Examples
--------
>>> import numpy as np, fastxavier, fastxavier.dask
>>> lazy = fastxavier.dask.uniform((1000, 700), chunks=(256, 300), seed=7)
>>> eager = fastxavier.uniform_(np.empty((1000, 700), dtype=np.float32), seed=7)
>>> bool((lazy.compute() == eager).all())
True
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Union

import numpy as np

try:
    import dask.array as da
    from dask.array.core import normalize_chunks
    from dask.base import tokenize
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "fastxavier.dask needs dask[array], which is not installed; install it with "
        '`pip install ".[dask]"` from a fastxavier source checkout, or with '
        '`pip install "dask[array]" distributed`'
    ) from error

import fastxavier

from ._api import resolve_key
from ._checks import UINT64_LIMIT
from ._dtypes import dtype_name
from ._family import resolve_dtype

__all__ = ["uniform", "normal", "trunc_normal", "from_fill"]

Shape = Union[int, Sequence[int]]
Stream = Union[int, str]

# Initializers that fastxavier may provide as in-place fills named NAME + "_". Each
# becomes fastxavier.dask.NAME when the installed fastxavier has the fill.
FAMILY_NAMES = (
    "kaiming_uniform",
    "kaiming_normal",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
    "glorot_uniform",
    "glorot_normal",
    "variance_scaling",
)

_SEED_REQUIRED = (
    "seed=None is invalid; expected an integer in [0, 2**64). fastxavier.dask needs "
    "an explicit seed, because the default seed and its stream counter live in one "
    "process and would give each worker different values"
)


class BlockFill:
    """Task function that fills one block of a lazy array.

    dask calls it with ``block_info``, which gives the block's shape, its location in
    the full array and the full shape. Instances are pickled into each task, so every
    attribute must be picklable: `fill` is a module-level fastxavier function.
    """

    def __init__(self, fill: Callable, dtype: np.dtype, args: tuple, kwargs: dict):
        self.fill = fill
        self.dtype = dtype
        self.args = args
        self.kwargs = kwargs

    def __call__(self, block_info: dict | None = None) -> np.ndarray:
        info = block_info[None]
        block = np.empty(info["chunk-shape"], dtype=self.dtype)
        index = tuple(slice(start, stop) for start, stop in info["array-location"])
        return self.fill(
            block,
            *self.args,
            global_shape=tuple(info["shape"]),
            index=index,
            **self.kwargs,
        )


def uniform(
    shape: Shape,
    chunks: Any,
    fan_in: int | None = None,
    fan_out: int | None = None,
    *,
    gain: float = 1.0,
    seed: int,
    stream: Stream = 0,
    dtype: Any = "float32",
    threads: int | None = 1,
) -> da.Array:
    """Return a lazy dask array of Xavier/Glorot uniform values.

    The computed array equals ``fastxavier.uniform_(numpy.empty(shape, dtype), fan_in,
    fan_out, gain=gain, seed=seed, stream=stream)`` bit for bit, for any `chunks`.

    Parameters
    ----------
    shape : int or sequence of int
        Shape of the full array; omitted fans come from it (PyTorch's rule).
    chunks : int, tuple, str or dict
        Block shape in any form that ``dask.array.core.normalize_chunks`` accepts,
        such as ``(512, 512)``, ``((300, 212), (512,))``, ``-1`` or ``"auto"``.
        Uneven chunks are fine.
    fan_in, fan_out, gain
        As in :func:`fastxavier.uniform_`.
    seed : int
        Philox key, in [0, 2**64). Required: fastxavier's default seed draws a new
        stream on each call and lives in one process, so a graph built on it could not
        be recomputed on other workers or in a later session with the same values.
    stream : int or str, default 0
        As in :func:`fastxavier.uniform_`.
    dtype : str or numpy.dtype, default "float32"
        float16, bfloat16 (needs ml_dtypes on the client and every worker), float32
        or float64, in native byte order. None means float32.
    threads : int or None, default 1
        Threads of each block's fill. dask already runs blocks in parallel, so one
        thread per block avoids oversubscribing the cores; None uses
        :func:`fastxavier.get_num_threads`. The values do not depend on it.

    Returns
    -------
    dask.array.Array
        Lazy array whose task names are derived from the arguments (not from
        `threads`), so identical calls share their keys.

    Raises
    ------
    ImportError
        If `dtype` is "bfloat16" and ml_dtypes is not installed.
    TypeError, ValueError
        At call time, with the messages of :func:`fastxavier.uniform_`, for invalid
        fans, gain, seed, stream or threads. For an invalid `shape` (more than 2**64
        elements, or beyond NumPy's limits) or `dtype`, with a message that names
        that argument.
    """
    return from_fill(
        fastxavier.uniform_,
        shape,
        chunks,
        fan_in,
        fan_out,
        gain=gain,
        seed=seed,
        stream=stream,
        dtype=dtype,
        threads=threads,
    )


def normal(
    shape: Shape,
    chunks: Any,
    fan_in: int | None = None,
    fan_out: int | None = None,
    *,
    gain: float = 1.0,
    seed: int,
    stream: Stream = 0,
    dtype: Any = "float32",
    threads: int | None = 1,
) -> da.Array:
    """Return a lazy dask array of Xavier/Glorot normal values.

    The computed array equals ``fastxavier.normal_(numpy.empty(shape, dtype), ...)``
    with the same arguments, bit for bit. Parameters, return value and errors are
    those of :func:`uniform`.
    """
    return from_fill(
        fastxavier.normal_,
        shape,
        chunks,
        fan_in,
        fan_out,
        gain=gain,
        seed=seed,
        stream=stream,
        dtype=dtype,
        threads=threads,
    )


def trunc_normal(
    shape: Shape,
    chunks: Any,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    *,
    seed: int,
    stream: Stream = 0,
    dtype: Any = "float32",
    threads: int | None = 1,
) -> da.Array:
    """Return a lazy dask array of a normal N(mean, std^2) truncated to [a, b].

    The computed array equals ``fastxavier.trunc_normal_(numpy.empty(shape, dtype),
    mean, std, a, b, seed=seed, stream=stream)`` bit for bit. `mean`, `std`, `a` and
    `b` are those of :func:`fastxavier.trunc_normal_`; the other parameters, the
    return value and the errors are those of :func:`uniform`.
    """
    return from_fill(
        fastxavier.trunc_normal_,
        shape,
        chunks,
        mean,
        std,
        a,
        b,
        seed=seed,
        stream=stream,
        dtype=dtype,
        threads=threads,
    )


def from_fill(
    fill: Callable,
    shape: Shape,
    chunks: Any,
    *args: Any,
    seed: int,
    stream: Stream = 0,
    dtype: Any = "float32",
    threads: int | None = 1,
    **kwargs: Any,
) -> da.Array:
    """Return a lazy dask array whose blocks are shard fills of `fill`.

    Parameters
    ----------
    fill : callable
        An in-place fastxavier fill defined at module level, such as
        :func:`fastxavier.uniform_`, that accepts ``seed=``, ``stream=``,
        ``threads=``, ``global_shape=`` and ``index=``. Each task calls
        ``fill(block, *args, seed=..., stream=..., threads=..., global_shape=shape,
        index=<the block's slices>, **kwargs)``.
    shape, chunks, seed, stream, dtype, threads
        As in :func:`uniform`.
    *args, **kwargs
        Further arguments of `fill`, such as fans, gain or the truncation bounds.
        They must be picklable and are part of the task names.

    Returns
    -------
    dask.array.Array
        Lazy array equal, bit for bit, to `fill` applied to the whole array.

    Raises
    ------
    ImportError, TypeError, ValueError
        At call time: the errors `fill` raises for these arguments on an array of
        `shape`, and errors for an invalid shape, dtype or seed, as in
        :func:`uniform`.
    """
    shape = _check_shape(shape)
    # The check of the allocating forms (fastxavier.glorot_uniform and others), so
    # both raise the same errors.
    dtype = resolve_dtype(dtype)
    if seed is None:
        raise ValueError(_SEED_REQUIRED)
    key = resolve_key(seed, stream, threads)
    fill_kwargs = dict(kwargs, seed=key.seed, stream=key.stream, threads=threads)
    _validate_fill(fill, shape, dtype, args, fill_kwargs)

    chunks = normalize_chunks(chunks, shape, dtype=dtype)
    label = getattr(fill, "__name__", "fill").rstrip("_")
    # threads is left out: it never changes a value, so such calls may share keys.
    token = tokenize(
        _qualified_name(fill),
        shape,
        chunks,
        dtype_name(dtype),
        args,
        sorted(kwargs.items()),
        key.seed,
        key.stream,
    )
    return da.map_blocks(
        BlockFill(fill, dtype, args, fill_kwargs),
        name=f"fastxavier-{label}-{token}",
        chunks=chunks,
        dtype=dtype,
        meta=np.empty((0,) * len(shape), dtype=dtype),
    )


def _check_shape(shape: object) -> tuple[int, ...]:
    expected = "expected an integer or a sequence of integers >= 0"
    if isinstance(shape, (str, bytes)):
        raise TypeError(f"shape={shape!r} is invalid; {expected}")
    extents = tuple(shape) if isinstance(shape, Iterable) else (shape,)
    try:
        checked = tuple(operator.index(extent) for extent in extents)
    except TypeError:
        raise TypeError(f"shape={shape!r} is invalid; {expected}") from None
    if any(extent < 0 for extent in checked):
        raise ValueError(f"shape={shape!r} has a negative extent; {expected}")
    # Each block is a NumPy array, so NumPy's limits on the number of dimensions
    # and on each extent apply.
    try:
        np.empty((0,) * len(checked), dtype=np.uint8)
    except ValueError as error:
        raise ValueError(f"shape={checked} is invalid: {error}") from None
    largest_extent = np.iinfo(np.intp).max
    if any(extent > largest_extent for extent in checked):
        raise ValueError(
            f"shape={checked} has an extent above {largest_extent}, the largest "
            "that NumPy accepts"
        )
    size = math.prod(checked)
    if size > UINT64_LIMIT:
        raise ValueError(
            f"shape={checked} has {size} elements, more than 2**64, the length of a "
            "stream; expected a smaller shape"
        )
    return checked


def _validate_fill(
    fill: Callable, shape: tuple[int, ...], dtype: np.dtype, args: tuple, kwargs: dict
) -> None:
    """Raise what `fill` raises for these arguments, by filling one element.

    The one element is a shard of the full shape, so the fill checks everything that
    the blocks will pass, fans taken from `shape` included. An empty shape is checked
    with an empty array, for which the fills do not need fans.
    """
    if 0 in shape:
        probe = np.empty(shape, dtype=dtype)
        fill(probe, *args, global_shape=shape, **kwargs)
        return
    probe = np.empty((1,) * len(shape), dtype=dtype)
    index = (slice(0, 1),) * len(shape)
    fill(probe, *args, global_shape=shape, index=index, **kwargs)


def _qualified_name(function: Callable) -> str:
    module = getattr(function, "__module__", None)
    name = getattr(function, "__qualname__", None)
    if module is None or name is None:
        return tokenize(function)
    return f"{module}.{name}"


@functools.cache
def _family_initializer(name: str, fill: Callable) -> Callable:
    def initializer(
        shape, chunks, *args, seed, stream=0, dtype="float32", threads=1, **kwargs
    ):
        return from_fill(
            fill,
            shape,
            chunks,
            *args,
            seed=seed,
            stream=stream,
            dtype=dtype,
            threads=threads,
            **kwargs,
        )

    initializer.__name__ = name
    initializer.__qualname__ = name
    initializer.__doc__ = (
        f"Return a lazy dask array filled as fastxavier.{name}_ fills the array.\n"
        "\n"
        f"``{name}(shape, chunks, *args, seed=..., stream=0, dtype='float32', "
        "threads=1, **kwargs)``: `args` and `kwargs` go to "
        f"fastxavier.{name}_, the rest is as in :func:`fastxavier.dask.uniform`. "
        "See :func:`fastxavier.dask.from_fill`.\n"
    )
    return initializer


def __getattr__(name: str) -> Callable:
    # The initializer family is looked up at access time, so this module offers
    # exactly the family members that the installed fastxavier provides.
    fill = getattr(fastxavier, name + "_", None) if name in FAMILY_NAMES else None
    if fill is None:
        raise AttributeError(f"module 'fastxavier.dask' has no attribute {name!r}")
    return _family_initializer(name, fill)


def __dir__() -> list[str]:
    family = [name for name in FAMILY_NAMES if hasattr(fastxavier, name + "_")]
    return sorted(set(globals()) | set(family))
