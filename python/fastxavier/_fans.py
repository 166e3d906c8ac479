"""Fan and gain rules of PyTorch's torch.nn.init (version 2.x) and of JAX's
jax.nn.initializers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Optional, Union

from ._checks import check_integer

__all__ = ["compute_fans", "calculate_gain"]


LAYOUTS = ("torch", "jax")

# Defaults of the JAX layout's axes, as in jax.nn.initializers.
DEFAULT_IN_AXIS = -2
DEFAULT_OUT_AXIS = -1
DEFAULT_BATCH_AXIS = ()

Axes = Union[int, Sequence[int]]


@dataclass(frozen=True)
class FanLayout:
    """A checked layout name and its axes (each a tuple of possibly negative ints)."""

    layout: str
    in_axis: tuple[int, ...] = (DEFAULT_IN_AXIS,)
    out_axis: tuple[int, ...] = (DEFAULT_OUT_AXIS,)
    batch_axis: tuple[int, ...] = DEFAULT_BATCH_AXIS


def compute_fans(
    shape: Sequence[int],
    layout: str = "torch",
    *,
    in_axis: Axes = DEFAULT_IN_AXIS,
    out_axis: Axes = DEFAULT_OUT_AXIS,
    batch_axis: Axes = DEFAULT_BATCH_AXIS,
) -> tuple[int, int]:
    """Return (fan_in, fan_out) of a weight of `shape` under a layout rule.

    ``layout="torch"`` reads the shape as (out_features, in_features, *kernel), as
    PyTorch's torch.nn.init does (version 2.x): fan_in is in_features times the
    receptive field (the product of the kernel dimensions) and fan_out is
    out_features times it.

    ``layout="jax"`` follows jax.nn.initializers: the receptive field is the product
    of every dimension not named by `in_axis`, `out_axis` or `batch_axis`; fan_in is
    the product of the `in_axis` dimensions times the receptive field, fan_out the
    product of the `out_axis` dimensions times it. The defaults read the shape as
    (..., in, out), e.g. a dense kernel (in, out) or a convolution kernel
    (height, width, in, out).

    A shape with a zero extent gives fans that may be 0; the fills never use them,
    because filling an empty array writes nothing.

    Parameters
    ----------
    shape : sequence of int
        Extents, each >= 0, at least 2 of them.
    layout : {"torch", "jax"}, default "torch"
        Which rule reads the shape.
    in_axis, out_axis : int or sequence of int, default -2 and -1
        Input and output axes of the JAX layout; negative values count from the end.
    batch_axis : int or sequence of int, default ()
        Axes of the JAX layout that count in neither fan nor the receptive field.

    Returns
    -------
    tuple of int
        (fan_in, fan_out).

    Raises
    ------
    TypeError
        If an extent or an axis is not an integer.
    ValueError
        If the shape has fewer than 2 dimensions (pass fan_in and fan_out to the fill
        instead), an extent is negative, `layout` is unknown, an axis is out of range
        or named twice, or axes are passed with ``layout="torch"``.

    Examples
    --------
    >>> import fastxavier
    >>> fastxavier.compute_fans((64, 32, 3, 3))
    (288, 576)
    >>> fastxavier.compute_fans((3, 3, 32, 64), "jax")
    (288, 576)
    """
    fan_layout = check_fan_layout(layout, in_axis, out_axis, batch_axis)
    return fans_of_shape(shape, fan_layout)


def fans_of_shape(shape: Sequence[int], fan_layout: FanLayout) -> tuple[int, int]:
    """Return (fan_in, fan_out) of `shape` under a checked layout."""
    dims = _check_shape(shape)
    if len(dims) < 2:
        raise ValueError(
            f"cannot compute fan_in and fan_out of shape {tuple(dims)}: it has "
            f"{len(dims)} dimension(s), expected at least 2; pass fan_in and fan_out"
        )
    if fan_layout.layout == "torch":
        receptive_field = math.prod(dims[2:])
        return dims[1] * receptive_field, dims[0] * receptive_field
    in_axes, out_axes, batch_axes = _resolve_axes(fan_layout, len(dims))
    named = set(in_axes) | set(out_axes) | set(batch_axes)
    receptive_field = math.prod(d for axis, d in enumerate(dims) if axis not in named)
    fan_in = math.prod(dims[axis] for axis in in_axes) * receptive_field
    fan_out = math.prod(dims[axis] for axis in out_axes) * receptive_field
    return fan_in, fan_out


def check_fan_layout(
    layout: object, in_axis: object, out_axis: object, batch_axis: object
) -> FanLayout:
    """Return the checked layout and axes. Axis ranges are checked against a shape
    later, in fans_of_shape."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout={layout!r} is invalid; expected 'torch' or 'jax'")
    axes = (
        _check_axes(in_axis, "in_axis"),
        _check_axes(out_axis, "out_axis"),
        _check_axes(batch_axis, "batch_axis"),
    )
    if layout == "torch":
        if axes != ((DEFAULT_IN_AXIS,), (DEFAULT_OUT_AXIS,), DEFAULT_BATCH_AXIS):
            raise ValueError(
                "in_axis, out_axis and batch_axis apply to layout='jax' only; the "
                "torch layout is always (out, in, *kernel)"
            )
        return FanLayout("torch")
    return FanLayout("jax", *axes)


def _check_shape(shape: object) -> list[int]:
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
        raise TypeError(f"shape={shape!r} is invalid; expected a sequence of integers")
    dims = [check_integer(extent, "shape entry") for extent in shape]
    if any(extent < 0 for extent in dims):
        raise ValueError(f"shape {tuple(dims)} has a negative extent")
    return dims


def _check_axes(value: object, name: str) -> tuple[int, ...]:
    if isinstance(value, (str, bytes)):
        raise TypeError(
            f"{name}={value!r} is invalid; expected an int or a sequence of ints"
        )
    if hasattr(value, "__iter__"):
        return tuple(check_integer(axis, f"{name} entry") for axis in value)
    return (check_integer(value, name),)


def _resolve_axes(fan_layout: FanLayout, ndim: int):
    """Return the layout's axes as non-negative tuples, checked against `ndim`."""
    resolved = []
    seen: set[int] = set()
    for name in ("in_axis", "out_axis", "batch_axis"):
        axes = []
        for axis in getattr(fan_layout, name):
            if not -ndim <= axis < ndim:
                raise ValueError(
                    f"{name} {axis} is out of range for a shape of {ndim} dimensions; "
                    f"expected an axis in [{-ndim}, {ndim})"
                )
            if axis % ndim in seen:
                raise ValueError(
                    f"axis {axis} is named twice among in_axis, out_axis and "
                    "batch_axis; expected distinct axes"
                )
            seen.add(axis % ndim)
            axes.append(axis % ndim)
        resolved.append(tuple(axes))
    return resolved


_UNIT_GAIN = {
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
}


def calculate_gain(nonlinearity: str, param: Optional[float] = None) -> float:
    """Return the recommended gain for a nonlinearity, as torch.nn.init.calculate_gain.

    ============================  ============================================
    nonlinearity                  gain
    ============================  ============================================
    linear, conv*, sigmoid        1
    tanh                          5/3
    relu                          sqrt(2)
    leaky_relu                    sqrt(2 / (1 + negative_slope^2)), slope
                                  ``param`` (default 0.01)
    selu                          3/4
    ============================  ============================================

    Raises
    ------
    ValueError
        For an unknown nonlinearity or an invalid negative slope.
    """
    if nonlinearity in _UNIT_GAIN:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif isinstance(param, Real) and not isinstance(param, bool):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} is not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")
