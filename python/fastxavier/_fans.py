"""Fan and gain rules, as in PyTorch's torch.nn.init (version 2.x)."""

from __future__ import annotations

import math
from numbers import Real
from typing import Optional, Sequence

from ._checks import check_integer

__all__ = ["compute_fans", "calculate_gain"]


def compute_fans(shape: Sequence[int]) -> tuple[int, int]:
    """Return (fan_in, fan_out) of a weight of `shape` by PyTorch's layout rule.

    The shape is read as (out_features, in_features, *kernel): fan_in is
    in_features times the receptive field (the product of the kernel dimensions) and
    fan_out is out_features times it.

    Raises
    ------
    ValueError
        If the shape has fewer than 2 dimensions: pass fan_in and fan_out explicitly.
    """
    dims = [check_integer(extent, "shape entry") for extent in shape]
    if len(dims) < 2:
        raise ValueError(
            f"cannot compute fan_in and fan_out of shape {tuple(dims)}: it has "
            f"{len(dims)} dimension(s), expected at least 2; pass fan_in and fan_out"
        )
    receptive_field = math.prod(dims[2:])
    return dims[1] * receptive_field, dims[0] * receptive_field


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
