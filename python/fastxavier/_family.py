"""The initializer family: Kaiming/He, LeCun, Glorot and variance scaling.

Every scheme fills with one of three distributions: uniform on (-bound, bound), normal
N(0, std^2), or normal N(0, std^2) truncated to [-2 std, 2 std]. Each scheme is written
once as a plan function, which checks the arguments and computes the distribution
and its parameter, and then is applied either with the kernel fills of ``_api``
(:func:`apply_kernel`) or with the fills of ``reference`` (``apply_reference``). So the
package and the reference cannot disagree on a formula.

Sources of the formulas:

- PyTorch 2.x, torch.nn.init.kaiming_uniform_ and kaiming_normal_: std =
  gain / sqrt(fan), bound = sqrt(3) std (He, Zhang, Ren and Sun, "Delving Deep into
  Rectifiers: Surpassing Human-Level Performance on ImageNet Classification",
  ICCV 2015).
- JAX, jax.nn.initializers.variance_scaling and the he_*, lecun_* and glorot_*
  initializers built on it (LeCun, Bottou, Orr and Mueller, "Efficient BackProp",
  1998; Glorot and Bengio, "Understanding the difficulty of training deep
  feedforward neural networks", AISTATS 2010).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional, Union

import numpy as np

from . import _core
from ._api import (
    FillKey,
    Stream,
    check_stream,
    fill_normal,
    fill_truncated_normal,
    fill_uniform,
    resolve_key,
)
from ._checks import (
    FLOAT_DTYPES,
    check_fan,
    check_finite,
    check_float_array,
    check_integer,
    check_positive,
    check_threads,
    check_uint64,
)
from ._dtypes import MAX_NORMAL_RADIUS, _largest_finite, dtype_name, smallest_normal
from ._fans import (
    DEFAULT_BATCH_AXIS,
    DEFAULT_IN_AXIS,
    DEFAULT_OUT_AXIS,
    Axes,
    FanLayout,
    calculate_gain,
    check_fan_layout,
    fans_of_shape,
)
from ._placement import Placement, placement_of

__all__ = [
    "kaiming_uniform_",
    "kaiming_normal_",
    "variance_scaling_",
    "he_uniform_",
    "he_normal_",
    "lecun_uniform_",
    "lecun_normal_",
    "glorot_uniform_",
    "glorot_normal_",
    "variance_scaling",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
    "glorot_uniform",
    "glorot_normal",
]

# Standard deviation of the standard normal truncated to [-2, 2], as in
# jax.nn.initializers.variance_scaling: dividing by it makes the truncated values'
# standard deviation sqrt(variance).
TRUNCATED_STD_AT_2 = 0.87962566103423978

VARIANCE_MODES = ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")

# (scale, mode, distribution) of the JAX initializers built on variance_scaling.
JAX_SCHEMES = {
    "he_uniform": (2.0, "fan_in", "uniform"),
    "he_normal": (2.0, "fan_in", "truncated_normal"),
    "lecun_uniform": (1.0, "fan_in", "uniform"),
    "lecun_normal": (1.0, "fan_in", "truncated_normal"),
    "glorot_uniform": (1.0, "fan_avg", "uniform"),
    "glorot_normal": (1.0, "fan_avg", "truncated_normal"),
}
DISTRIBUTIONS = ("truncated_normal", "normal", "uniform")

# Largest magnitude of a value, in units of the bound or std, by distribution.
REACH_IN_PARAMETERS = {
    "uniform": 1.0,
    "truncated_normal": 2.0,
    "normal": MAX_NORMAL_RADIUS,
}
KAIMING_MODES = ("fan_in", "fan_out")

ShapeLike = Union[int, Sequence[int]]


# ---- plans ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FillPlan:
    """Checked arguments of one fill: distribution, its parameter, key and placement.

    `parameter` is the bound of "uniform", or the standard deviation of "normal" and
    "truncated_normal" before truncation. Truncation keeps [-2, 2] times it.
    """

    distribution: str
    parameter: float
    key: FillKey
    placement: Placement

    def truncation_interval(self) -> tuple[float, float]:
        return -2.0 * self.parameter, 2.0 * self.parameter


@dataclass(frozen=True)
class FillArgs:
    """The arguments every scheme shares, unchecked."""

    fan_in: object = None
    fan_out: object = None
    seed: object = None
    stream: object = 0
    threads: object = None
    global_shape: object = None
    index: object = None


@dataclass(frozen=True)
class Target:
    """A checked, non-empty array: where it sits and which fans were passed."""

    array: np.ndarray
    placement: Placement
    fan_in: Optional[int]
    fan_out: Optional[int]

    @property
    def fan_shape(self) -> tuple[int, ...]:
        """Shape that omitted fans come from: the global shape of a shard."""
        if self.placement.fan_shape is not None:
            return self.placement.fan_shape
        return tuple(self.array.shape)

    def fans(
        self, fan_layout: FanLayout, need_in: bool, need_out: bool
    ) -> tuple[Optional[int], Optional[int]]:
        """Return the passed fans, filling a needed omitted one from the shape."""
        fan_in, fan_out = self.fan_in, self.fan_out
        if (need_in and fan_in is None) or (need_out and fan_out is None):
            shape_in, shape_out = fans_of_shape(self.fan_shape, fan_layout)
            fan_in = shape_in if fan_in is None else fan_in
            fan_out = shape_out if fan_out is None else fan_out
        return fan_in, fan_out


def check_target(array: np.ndarray, args: FillArgs) -> Optional[Target]:
    """Check the shared arguments and return the target, or None for an empty array.

    An empty array takes no stream of the default seed, but its arguments are still
    checked, as in :func:`fastxavier.uniform_`.
    """
    placement = placement_of(array, args.global_shape, args.index)
    fan_in = None if args.fan_in is None else check_fan(args.fan_in, "fan_in")
    fan_out = None if args.fan_out is None else check_fan(args.fan_out, "fan_out")
    if array.size == 0:
        check_threads(args.threads)
        if args.seed is not None:
            check_uint64(args.seed, "seed")
            check_stream(args.stream)
        return None
    return Target(array, placement, fan_in, fan_out)


def check_parameter_range(
    dtype: np.dtype, distribution: str, parameter: float, source: str
) -> None:
    """Raise ValueError unless the dtype can hold the values of this bound or std.

    The bound or std must be at least the dtype's smallest normal number: below it,
    values lose precision as subnormals or round to zero. The values must stay within
    the dtype's largest finite value: a uniform reaches its bound, a normal truncated
    to [-2 std, 2 std] reaches 2 std, and an untruncated normal MAX_NORMAL_RADIUS std.
    These are the limits that fastxavier.uniform_, normal_ and trunc_normal_ apply.
    """
    name = dtype_name(dtype)
    label = "bound" if distribution == "uniform" else "std"
    smallest = smallest_normal(name)
    if not parameter >= smallest:
        raise ValueError(
            f"{source} gives a {distribution} {label} of {parameter!r}, below "
            f"{smallest!r}, the smallest normal {name} value; expected a larger "
            "scale or gain, or a wider dtype"
        )
    largest = _largest_finite(name)
    reach = parameter * REACH_IN_PARAMETERS[distribution]
    if not reach <= largest:
        values = "" if distribution == "uniform" else f", whose values reach {reach!r}"
        raise ValueError(
            f"{source} gives a {distribution} {label} of {parameter!r}{values}, "
            f"beyond {largest!r}, the largest {name} value; expected a smaller scale "
            "or gain, or a wider dtype"
        )


def finish_plan(
    target: Target, distribution: str, parameter: float, source: str, args: FillArgs
) -> FillPlan:
    """Check that the dtype can hold the values of `parameter`, then take the key.

    The key comes last because a seedless call draws a stream of the default seed or
    of a Generator, and a call that raises must not take one. For the same reason a
    seedless call with threads=None checks FASTXAVIER_NUM_THREADS first.
    """
    check_parameter_range(target.array.dtype, distribution, parameter, source)
    if args.seed is None and args.threads is None:
        check_thread_environment()
    key = resolve_key(args.seed, args.stream, args.threads)
    return FillPlan(distribution, parameter, key, target.placement)


def check_thread_environment() -> None:
    """Raise ValueError if FASTXAVIER_NUM_THREADS is set to an invalid value.

    A fill with threads=None reads the variable in the compiled core, after the key
    is drawn. The variable is not read once :func:`fastxavier.set_num_threads` has
    been called.
    """
    _core.get_num_threads()


def apply_kernel(array: np.ndarray, plan: Optional[FillPlan]) -> np.ndarray:
    """Fill `array` by `plan` with the compiled kernel; a None plan writes nothing."""
    if plan is None:
        return array
    if plan.distribution == "uniform":
        return fill_uniform(array, plan.parameter, plan.key, plan.placement)
    if plan.distribution == "normal":
        return fill_normal(array, plan.parameter, plan.key, plan.placement)
    lower, upper = plan.truncation_interval()
    return fill_truncated_normal(
        array, 0.0, plan.parameter, lower, upper, plan.key, plan.placement
    )


# ---- Kaiming (PyTorch) ---------------------------------------------------------------


def check_kaiming_mode(mode: object) -> str:
    """Return the mode lowered, as PyTorch does, with PyTorch's error text."""
    if not isinstance(mode, str):
        raise TypeError(f"mode={mode!r} has type {type(mode).__name__}; expected a str")
    lowered = mode.lower()
    if lowered not in KAIMING_MODES:
        raise ValueError(
            f"Mode {lowered} not supported, please use one of fan_in, fan_out"
        )
    return lowered


def kaiming_gain(nonlinearity: object, a: object) -> float:
    """Return calculate_gain(nonlinearity, a) for a finite negative slope `a`."""
    if not isinstance(nonlinearity, str):
        raise TypeError(
            f"nonlinearity={nonlinearity!r} has type {type(nonlinearity).__name__}; "
            "expected a str such as 'relu' or 'leaky_relu'"
        )
    slope = check_finite(a, "a")
    try:
        return calculate_gain(nonlinearity, slope)
    except OverflowError:
        raise ValueError(
            f"a={slope!r} is too large: 1 + a**2 overflows float64; expected |a| "
            "below 1e154"
        ) from None


def plan_kaiming(
    array, a, mode, nonlinearity, distribution: str, args: FillArgs
) -> Optional[FillPlan]:
    """Plan a Kaiming fill: std = gain / sqrt(fan), bound = sqrt(3) std."""
    check_float_array(array)
    mode = check_kaiming_mode(mode)
    gain = kaiming_gain(nonlinearity, a)
    target = check_target(array, args)
    if target is None:
        return None
    fan_in, fan_out = target.fans(
        FanLayout("torch"), mode == "fan_in", mode == "fan_out"
    )
    fan = fan_in if mode == "fan_in" else fan_out
    std = gain / math.sqrt(fan)
    parameter = math.sqrt(3.0) * std if distribution == "uniform" else std
    source = f"gain {gain!r} with {mode}={fan}"
    return finish_plan(target, distribution, parameter, source, args)


# ---- variance scaling (JAX) ----------------------------------------------------------


def check_choice(value: object, name: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        expected = ", ".join(repr(choice) for choice in choices)
        hint = ""
        if isinstance(value, str) and value == "untruncated_normal":
            hint = " ('untruncated_normal' is the Keras name of JAX's 'normal')"
        raise ValueError(
            f"{name}={value!r} is invalid; expected one of {expected}{hint}"
        )
    return value


def variance_denominator(
    mode: str, fan_in: Optional[int], fan_out: Optional[int]
) -> float:
    """Return n of variance = scale / n for a JAX mode."""
    if mode == "fan_in":
        return float(fan_in)
    if mode == "fan_out":
        return float(fan_out)
    if mode == "fan_avg":
        return (fan_in + fan_out) / 2
    # math.sqrt is correctly rounded everywhere, unlike ** 0.5 through libm's pow.
    return math.sqrt(fan_in * fan_out)


def variance_parameter(distribution: str, variance: float) -> float:
    """Return the bound or std that gives values of the given variance (JAX's rule)."""
    if distribution == "truncated_normal":
        return math.sqrt(variance) / TRUNCATED_STD_AT_2
    if distribution == "normal":
        return math.sqrt(variance)
    return math.sqrt(3.0 * variance)


def plan_variance_scaling(
    array, scale, mode, distribution, fan_layout_args: tuple, args: FillArgs
) -> Optional[FillPlan]:
    """Plan a variance scaling fill: variance = scale / n, n set by `mode`."""
    check_float_array(array)
    scale = check_positive(scale, "scale")
    mode = check_choice(mode, "mode", VARIANCE_MODES)
    distribution = check_choice(distribution, "distribution", DISTRIBUTIONS)
    fan_layout = check_fan_layout(*fan_layout_args)
    target = check_target(array, args)
    if target is None:
        return None
    fan_in, fan_out = target.fans(fan_layout, mode != "fan_out", mode != "fan_in")
    denominator = variance_denominator(mode, fan_in, fan_out)
    parameter = variance_parameter(distribution, scale / denominator)
    source = f"scale={scale!r} with n={denominator!r} ({mode})"
    return finish_plan(target, distribution, parameter, source, args)


# ---- allocation ----------------------------------------------------------------------


BFLOAT16_MISSING = (
    "dtype='bfloat16' needs the ml_dtypes package, which is not installed; install "
    "it with `pip install ml_dtypes`"
)


def resolve_dtype(dtype: object) -> np.dtype:
    """Return the NumPy dtype of a float16, bfloat16, float32 or float64 request.

    None means float32, JAX's default float type. "bfloat16" imports ml_dtypes on
    first use, so the package runs without it. fastxavier.dask checks its `dtype`
    here too, so both raise the same errors.
    """
    if dtype is None:
        return np.dtype(np.float32)
    expected = f"expected one of {', '.join(FLOAT_DTYPES)}"
    if isinstance(dtype, str) and dtype == "bfloat16":
        try:
            import ml_dtypes
        except ImportError:
            raise ImportError(BFLOAT16_MISSING) from None
        return np.dtype(ml_dtypes.bfloat16)
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype={dtype!r} is not a NumPy dtype; {expected}") from None
    if resolved.fields is not None or dtype_name(resolved) not in FLOAT_DTYPES:
        raise TypeError(f"dtype={resolved} is not supported; {expected}")
    if not resolved.isnative:
        raise ValueError(
            f"dtype={resolved.str!r} has non-native byte order; {expected} in native "
            f"byte order, such as {resolved.newbyteorder('=').str!r}"
        )
    return resolved


def allocate(shape: ShapeLike, dtype: object) -> np.ndarray:
    """Return an uninitialized array of `shape` (an int or a sequence of ints >= 0)."""
    if isinstance(shape, (str, bytes)):
        raise TypeError(
            f"shape={shape!r} is invalid; expected an int or a sequence of integers"
        )
    if hasattr(shape, "__iter__"):
        extents = tuple(check_integer(extent, "shape entry") for extent in shape)
    else:
        extents = (check_integer(shape, "shape"),)
    if any(extent < 0 for extent in extents):
        raise ValueError(
            f"shape={extents} has a negative extent; expected extents >= 0"
        )
    resolved = resolve_dtype(dtype)
    try:
        return np.empty(extents, dtype=resolved)
    except ValueError as error:
        # NumPy's limits: the number of dimensions, and the size in bytes.
        raise ValueError(f"shape={extents} is invalid: {error}") from None


# ---- public in-place fills ----------------------------------------------------------


def kaiming_uniform_(
    array: np.ndarray,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    *,
    fan_in: Optional[int] = None,
    fan_out: Optional[int] = None,
    seed: Optional[int] = None,
    stream: Stream = 0,
    threads: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index=None,
) -> np.ndarray:
    """Fill `array` in place with Kaiming/He uniform values and return it.

    Values are drawn from U(-bound, bound), every one strictly inside, with
    bound = sqrt(3) * gain / sqrt(fan), gain = ``calculate_gain(nonlinearity, a)`` and
    fan the fan named by `mode`: the formula of torch.nn.init.kaiming_uniform_ in
    PyTorch 2.x (He et al., "Delving Deep into Rectifiers", ICCV 2015).

    Parameters
    ----------
    array : numpy.ndarray
        As in :func:`uniform_`: writable float16, bfloat16, float32 or float64, any
        layout, read in PyTorch's (out, in, *kernel) order for omitted fans.
    a : float, default 0
        Negative slope of the rectifier after this layer, used by "leaky_relu".
        Finite.
    mode : {"fan_in", "fan_out"}, default "fan_in"
        Which fan sets the scale, case-insensitive as in PyTorch: "fan_in" keeps the
        variance of the forward pass, "fan_out" that of the backward pass.
    nonlinearity : str, default "leaky_relu"
        A name accepted by :func:`calculate_gain`.
    fan_in, fan_out : int, optional
        Explicit fans (>= 1), which win over the shape. Only the fan named by `mode`
        is used; when it is passed, the array may have any number of dimensions.
    seed, stream, threads, global_shape, index
        As in :func:`uniform_`.

    Returns
    -------
    numpy.ndarray
        `array` itself.

    Raises
    ------
    TypeError
        If `array` is not an ndarray of a dtype above, or an argument has the wrong
        type (`a` not a real number, `mode` or `nonlinearity` not a str).
    ValueError
        If `mode` is not "fan_in" or "fan_out" (PyTorch's message), `nonlinearity`
        is unknown, `a` is not finite, the needed fan is omitted for fewer than 2
        dimensions, or a shared argument is invalid as in :func:`uniform_`. Also if
        the bound or std is below the dtype's smallest normal number or gives
        values beyond its largest finite value, or FASTXAVIER_NUM_THREADS is
        invalid. The array is not modified and, if `seed` is None, no stream is
        taken.

    Examples
    --------
    >>> import numpy as np, fastxavier
    >>> w = np.empty((128, 64), dtype=np.float32)
    >>> w = fastxavier.kaiming_uniform_(w, mode="fan_in", nonlinearity="relu", seed=0)
    >>> bool(np.abs(w).max() < np.sqrt(6 / 64))
    True
    """
    args = FillArgs(fan_in, fan_out, seed, stream, threads, global_shape, index)
    plan = plan_kaiming(array, a, mode, nonlinearity, "uniform", args)
    return apply_kernel(array, plan)


def kaiming_normal_(
    array: np.ndarray,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    *,
    fan_in: Optional[int] = None,
    fan_out: Optional[int] = None,
    seed: Optional[int] = None,
    stream: Stream = 0,
    threads: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index=None,
) -> np.ndarray:
    """Fill `array` in place with Kaiming/He normal values and return it.

    Values are drawn from N(0, std^2), std = gain / sqrt(fan), untruncated, as
    torch.nn.init.kaiming_normal_ in PyTorch 2.x (He et al., "Delving Deep into
    Rectifiers", ICCV 2015).

    Parameters
    ----------
    array, a, mode, nonlinearity, fan_in, fan_out, seed, stream, threads, \
global_shape, index
        As in :func:`kaiming_uniform_`.

    Returns
    -------
    numpy.ndarray
        `array` itself.

    Raises
    ------
    TypeError, ValueError
        As in :func:`kaiming_uniform_`.

    Examples
    --------
    >>> import numpy as np, fastxavier
    >>> w = fastxavier.kaiming_normal_(np.empty((256, 128, 3, 3)), mode="fan_out",
    ...                                nonlinearity="relu", seed=1)
    >>> round(float(w.std() * np.sqrt(256 * 9) / np.sqrt(2)), 2)
    1.0
    """
    args = FillArgs(fan_in, fan_out, seed, stream, threads, global_shape, index)
    plan = plan_kaiming(array, a, mode, nonlinearity, "normal", args)
    return apply_kernel(array, plan)


def variance_scaling_(
    array: np.ndarray,
    scale: float,
    mode: str,
    distribution: str,
    *,
    in_axis: Axes = DEFAULT_IN_AXIS,
    out_axis: Axes = DEFAULT_OUT_AXIS,
    batch_axis: Axes = DEFAULT_BATCH_AXIS,
    layout: str = "jax",
    fan_in: Optional[int] = None,
    fan_out: Optional[int] = None,
    seed: Optional[int] = None,
    stream: Stream = 0,
    threads: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index=None,
) -> np.ndarray:
    """Fill `array` in place with values of variance scale / n and return it.

    The formulas of jax.nn.initializers.variance_scaling: n is fan_in, fan_out,
    (fan_in + fan_out) / 2 or sqrt(fan_in * fan_out) for `mode` "fan_in",
    "fan_out", "fan_avg" or "fan_geo_avg", and variance = scale / n.

    - "truncated_normal": N(0, std^2) truncated to [-2 std, 2 std] with
      std = sqrt(variance) / 0.87962566103423978. The divisor is the standard
      deviation of a standard normal truncated to [-2, 2], so the values' standard
      deviation is sqrt(variance).
    - "normal": N(0, variance), untruncated (Keras calls it "untruncated_normal").
    - "uniform": U(-bound, bound), bound = sqrt(3 variance), every value strictly
      inside.

    The bound or std is computed in float64 and rounded once to the dtype.

    Parameters
    ----------
    array : numpy.ndarray
        As in :func:`uniform_`.
    scale : float
        Finite, > 0.
    mode : {"fan_in", "fan_out", "fan_avg", "fan_geo_avg"}
        Which combination of the fans is n.
    distribution : {"truncated_normal", "normal", "uniform"}
        Distribution of the values.
    in_axis, out_axis, batch_axis : int or sequence of int
        Axes of the JAX layout, see :func:`compute_fans`; defaults -2, -1 and ().
    layout : {"jax", "torch"}, default "jax"
        Rule that reads omitted fans from the shape, see :func:`compute_fans`.
        "torch" reads (out, in, *kernel) and takes no axes.
    fan_in, fan_out : int, optional
        Explicit fans (>= 1), which win over the shape. Only the fans that `mode`
        uses are needed.
    seed, stream, threads, global_shape, index
        As in :func:`uniform_`.

    Returns
    -------
    numpy.ndarray
        `array` itself.

    Raises
    ------
    TypeError
        If `array` is not an ndarray of a dtype above, or an argument has the wrong
        type.
    ValueError
        If `scale` is not finite and > 0, `mode`, `distribution` or `layout` is not
        one of the names above, an axis is out of range or named twice, a needed
        fan is omitted for fewer than 2 dimensions, or a shared argument is invalid
        as in :func:`uniform_`. Also if the resulting bound or std is below the
        dtype's smallest normal number or gives values beyond its largest finite
        value, or FASTXAVIER_NUM_THREADS is invalid. The array is not modified and,
        if `seed` is None, no stream is taken.

    Examples
    --------
    >>> import numpy as np, fastxavier
    >>> kernel = np.empty((3, 3, 64, 128), dtype=np.float32)  # (h, w, in, out)
    >>> kernel = fastxavier.variance_scaling_(kernel, 2.0, "fan_in", "truncated_normal",
    ...                                       seed=0)
    >>> round(float(kernel.std() * np.sqrt(9 * 64 / 2.0)), 1)
    1.0
    """
    args = FillArgs(fan_in, fan_out, seed, stream, threads, global_shape, index)
    layout_args = (layout, in_axis, out_axis, batch_axis)
    plan = plan_variance_scaling(array, scale, mode, distribution, layout_args, args)
    return apply_kernel(array, plan)


def _fill_jax_scheme(
    name,
    array,
    in_axis,
    out_axis,
    batch_axis,
    layout,
    fan_in,
    fan_out,
    seed,
    stream,
    threads,
    global_shape,
    index,
):
    scale, mode, distribution = JAX_SCHEMES[name]
    return variance_scaling_(
        array,
        scale,
        mode,
        distribution,
        in_axis=in_axis,
        out_axis=out_axis,
        batch_axis=batch_axis,
        layout=layout,
        fan_in=fan_in,
        fan_out=fan_out,
        seed=seed,
        stream=stream,
        threads=threads,
        global_shape=global_shape,
        index=index,
    )


def he_uniform_(
    array: np.ndarray,
    *,
    in_axis: Axes = DEFAULT_IN_AXIS,
    out_axis: Axes = DEFAULT_OUT_AXIS,
    batch_axis: Axes = DEFAULT_BATCH_AXIS,
    layout: str = "jax",
    fan_in: Optional[int] = None,
    fan_out: Optional[int] = None,
    seed: Optional[int] = None,
    stream: Stream = 0,
    threads: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index=None,
) -> np.ndarray:
    """Fill `array` in place with He uniform values and return it.

    ``variance_scaling_(array, 2.0, "fan_in", "uniform", ...)``: U(-b, b) with
    b = sqrt(6 / fan_in), as jax.nn.initializers.he_uniform (He et al., "Delving Deep
    into Rectifiers", ICCV 2015). The default layout is JAX's (..., in, out).

    Parameters
    ----------
    array, in_axis, out_axis, batch_axis, layout, fan_in, fan_out, seed, stream, \
threads, global_shape, index
        As in :func:`variance_scaling_`.

    Returns
    -------
    numpy.ndarray
        `array` itself.

    Raises
    ------
    TypeError, ValueError
        As in :func:`variance_scaling_`.

    Examples
    --------
    >>> import numpy as np, fastxavier
    >>> w = fastxavier.he_uniform_(np.empty((64, 32), dtype=np.float32), seed=0)
    >>> bool(np.abs(w).max() < np.sqrt(6 / 64))
    True
    """
    return _fill_jax_scheme(
        "he_uniform",
        array,
        in_axis,
        out_axis,
        batch_axis,
        layout,
        fan_in,
        fan_out,
        seed,
        stream,
        threads,
        global_shape,
        index,
    )


def he_normal_(
    array: np.ndarray,
    *,
    in_axis: Axes = DEFAULT_IN_AXIS,
    out_axis: Axes = DEFAULT_OUT_AXIS,
    batch_axis: Axes = DEFAULT_BATCH_AXIS,
    layout: str = "jax",
    fan_in: Optional[int] = None,
    fan_out: Optional[int] = None,
    seed: Optional[int] = None,
    stream: Stream = 0,
    threads: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index=None,
) -> np.ndarray:
    """Fill `array` in place with He truncated normal values and return it.

    ``variance_scaling_(array, 2.0, "fan_in", "truncated_normal", ...)``: standard
    deviation sqrt(2 / fan_in) after truncation at two standard deviations, as
    jax.nn.initializers.he_normal (He et al., "Delving Deep into Rectifiers",
    ICCV 2015). Unlike :func:`kaiming_normal_`, the values are truncated.

    Parameters
    ----------
    array, in_axis, out_axis, batch_axis, layout, fan_in, fan_out, seed, stream, \
threads, global_shape, index
        As in :func:`variance_scaling_`.

    Returns
    -------
    numpy.ndarray
        `array` itself.

    Raises
    ------
    TypeError, ValueError
        As in :func:`variance_scaling_`.

    Examples
    --------
    >>> import numpy as np, fastxavier
    >>> w = fastxavier.he_normal_(np.empty((512, 256)), seed=0)
    >>> round(float(w.std() * np.sqrt(512 / 2)), 1)
    1.0
    """
    return _fill_jax_scheme(
        "he_normal",
        array,
        in_axis,
        out_axis,
        batch_axis,
        layout,
        fan_in,
        fan_out,
        seed,
        stream,
        threads,
        global_shape,
        index,
    )


def lecun_uniform_(
    array: np.ndarray,
    *,
    in_axis: Axes = DEFAULT_IN_AXIS,
    out_axis: Axes = DEFAULT_OUT_AXIS,
    batch_axis: Axes = DEFAULT_BATCH_AXIS,
    layout: str = "jax",
    fan_in: Optional[int] = None,
    fan_out: Optional[int] = None,
    seed: Optional[int] = None,
    stream: Stream = 0,
    threads: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index=None,
) -> np.ndarray:
    """Fill `array` in place with LeCun uniform values and return it.

    ``variance_scaling_(array, 1.0, "fan_in", "uniform", ...)``: U(-b, b) with
    b = sqrt(3 / fan_in), as jax.nn.initializers.lecun_uniform (LeCun et al.,
    "Efficient BackProp", 1998).

    Parameters
    ----------
    array, in_axis, out_axis, batch_axis, layout, fan_in, fan_out, seed, stream, \
threads, global_shape, index
        As in :func:`variance_scaling_`.

    Returns
    -------
    numpy.ndarray
        `array` itself.

    Raises
    ------
    TypeError, ValueError
        As in :func:`variance_scaling_`.

    Examples
    --------
    >>> import numpy as np, fastxavier
    >>> w = fastxavier.lecun_uniform_(np.empty((48, 16), dtype=np.float32), seed=0)
    >>> bool(np.abs(w).max() < np.sqrt(3 / 48))
    True
    """
    return _fill_jax_scheme(
        "lecun_uniform",
        array,
        in_axis,
        out_axis,
        batch_axis,
        layout,
        fan_in,
        fan_out,
        seed,
        stream,
        threads,
        global_shape,
        index,
    )


def lecun_normal_(
    array: np.ndarray,
    *,
    in_axis: Axes = DEFAULT_IN_AXIS,
    out_axis: Axes = DEFAULT_OUT_AXIS,
    batch_axis: Axes = DEFAULT_BATCH_AXIS,
    layout: str = "jax",
    fan_in: Optional[int] = None,
    fan_out: Optional[int] = None,
    seed: Optional[int] = None,
    stream: Stream = 0,
    threads: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index=None,
) -> np.ndarray:
    """Fill `array` in place with LeCun truncated normal values and return it.

    ``variance_scaling_(array, 1.0, "fan_in", "truncated_normal", ...)``: standard
    deviation sqrt(1 / fan_in) after truncation, as jax.nn.initializers.lecun_normal
    (LeCun et al., "Efficient BackProp", 1998).

    Parameters
    ----------
    array, in_axis, out_axis, batch_axis, layout, fan_in, fan_out, seed, stream, \
threads, global_shape, index
        As in :func:`variance_scaling_`.

    Returns
    -------
    numpy.ndarray
        `array` itself.

    Raises
    ------
    TypeError, ValueError
        As in :func:`variance_scaling_`.

    Examples
    --------
    >>> import numpy as np, fastxavier
    >>> w = fastxavier.lecun_normal_(np.empty((400, 300)), seed=0)
    >>> round(float(w.std() * np.sqrt(400)), 1)
    1.0
    """
    return _fill_jax_scheme(
        "lecun_normal",
        array,
        in_axis,
        out_axis,
        batch_axis,
        layout,
        fan_in,
        fan_out,
        seed,
        stream,
        threads,
        global_shape,
        index,
    )


def glorot_uniform_(
    array: np.ndarray,
    *,
    in_axis: Axes = DEFAULT_IN_AXIS,
    out_axis: Axes = DEFAULT_OUT_AXIS,
    batch_axis: Axes = DEFAULT_BATCH_AXIS,
    layout: str = "jax",
    fan_in: Optional[int] = None,
    fan_out: Optional[int] = None,
    seed: Optional[int] = None,
    stream: Stream = 0,
    threads: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index=None,
) -> np.ndarray:
    """Fill `array` in place with Glorot uniform values and return it.

    ``variance_scaling_(array, 1.0, "fan_avg", "uniform", ...)``: U(-b, b) with
    b = sqrt(6 / (fan_in + fan_out)), as jax.nn.initializers.glorot_uniform (Glorot
    and Bengio, AISTATS 2010). The law is that of :func:`uniform_`, but the default
    layout is JAX's (..., in, out) and the bound comes from a different float64
    expression, so the values need not be bit-identical to those of
    :func:`uniform_`.

    Parameters
    ----------
    array, in_axis, out_axis, batch_axis, layout, fan_in, fan_out, seed, stream, \
threads, global_shape, index
        As in :func:`variance_scaling_`.

    Returns
    -------
    numpy.ndarray
        `array` itself.

    Raises
    ------
    TypeError, ValueError
        As in :func:`variance_scaling_`.

    Examples
    --------
    >>> import numpy as np, fastxavier
    >>> w = fastxavier.glorot_uniform_(np.empty((100, 200), dtype=np.float32), seed=0)
    >>> bool(np.abs(w).max() < np.sqrt(6 / 300))
    True
    """
    return _fill_jax_scheme(
        "glorot_uniform",
        array,
        in_axis,
        out_axis,
        batch_axis,
        layout,
        fan_in,
        fan_out,
        seed,
        stream,
        threads,
        global_shape,
        index,
    )


def glorot_normal_(
    array: np.ndarray,
    *,
    in_axis: Axes = DEFAULT_IN_AXIS,
    out_axis: Axes = DEFAULT_OUT_AXIS,
    batch_axis: Axes = DEFAULT_BATCH_AXIS,
    layout: str = "jax",
    fan_in: Optional[int] = None,
    fan_out: Optional[int] = None,
    seed: Optional[int] = None,
    stream: Stream = 0,
    threads: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index=None,
) -> np.ndarray:
    """Fill `array` in place with Glorot truncated normal values and return it.

    ``variance_scaling_(array, 1.0, "fan_avg", "truncated_normal", ...)``: standard
    deviation sqrt(2 / (fan_in + fan_out)) after truncation, as
    jax.nn.initializers.glorot_normal (Glorot and Bengio, AISTATS 2010). Unlike
    :func:`normal_`, the values are truncated.

    Parameters
    ----------
    array, in_axis, out_axis, batch_axis, layout, fan_in, fan_out, seed, stream, \
threads, global_shape, index
        As in :func:`variance_scaling_`.

    Returns
    -------
    numpy.ndarray
        `array` itself.

    Raises
    ------
    TypeError, ValueError
        As in :func:`variance_scaling_`.

    Examples
    --------
    >>> import numpy as np, fastxavier
    >>> w = fastxavier.glorot_normal_(np.empty((300, 500)), seed=0)
    >>> round(float(w.std() * np.sqrt(800 / 2)), 1)
    1.0
    """
    return _fill_jax_scheme(
        "glorot_normal",
        array,
        in_axis,
        out_axis,
        batch_axis,
        layout,
        fan_in,
        fan_out,
        seed,
        stream,
        threads,
        global_shape,
        index,
    )


# ---- public allocating forms ---------------------------------------------------------


def variance_scaling(
    shape: ShapeLike,
    scale: float,
    mode: str,
    distribution: str,
    dtype=np.float32,
    *,
    seed: Optional[int] = None,
    stream: Stream = 0,
    threads: Optional[int] = None,
    in_axis: Axes = DEFAULT_IN_AXIS,
    out_axis: Axes = DEFAULT_OUT_AXIS,
    batch_axis: Axes = DEFAULT_BATCH_AXIS,
    layout: str = "jax",
    fan_in: Optional[int] = None,
    fan_out: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index=None,
) -> np.ndarray:
    """Return a new array of `shape` filled as :func:`variance_scaling_` fills it.

    For code written against jax.nn.initializers or Keras: the array is allocated
    with ``numpy.empty`` and written once, with no second pass.

    Parameters
    ----------
    shape : int or sequence of int
        Extents, each >= 0. Read in JAX's (..., in, out) layout by default.
    scale, mode, distribution
        As in :func:`variance_scaling_`.
    dtype : dtype or str, default numpy.float32
        float16, float32, float64, or "bfloat16" (needs the ml_dtypes package,
        imported on first use). None means float32.
    seed, stream, threads, in_axis, out_axis, batch_axis, layout, fan_in, fan_out, \
global_shape, index
        As in :func:`variance_scaling_`; with `global_shape`, `shape` is the shape of
        the part at `index`.

    Returns
    -------
    numpy.ndarray
        The new array, C-ordered.

    Raises
    ------
    ImportError
        If `dtype` is "bfloat16" and ml_dtypes is not installed.
    TypeError
        If `dtype` is not one of the dtypes above, `shape` is not integers, or an
        argument has the wrong type.
    ValueError
        If an extent is negative, the shape passes NumPy's limits, `dtype` has
        non-native byte order, or as in :func:`variance_scaling_`.

    Examples
    --------
    >>> import fastxavier
    >>> w = fastxavier.variance_scaling((256, 128), 1.0, "fan_avg", "uniform", seed=3)
    >>> w.shape, w.dtype.name
    ((256, 128), 'float32')
    """
    array = allocate(shape, dtype)
    return variance_scaling_(
        array,
        scale,
        mode,
        distribution,
        in_axis=in_axis,
        out_axis=out_axis,
        batch_axis=batch_axis,
        layout=layout,
        fan_in=fan_in,
        fan_out=fan_out,
        seed=seed,
        stream=stream,
        threads=threads,
        global_shape=global_shape,
        index=index,
    )


def _allocate_jax_scheme(
    name,
    shape,
    dtype,
    seed,
    stream,
    threads,
    in_axis,
    out_axis,
    batch_axis,
    layout,
    fan_in,
    fan_out,
    global_shape,
    index,
):
    scale, mode, distribution = JAX_SCHEMES[name]
    return variance_scaling(
        shape,
        scale,
        mode,
        distribution,
        dtype,
        seed=seed,
        stream=stream,
        threads=threads,
        in_axis=in_axis,
        out_axis=out_axis,
        batch_axis=batch_axis,
        layout=layout,
        fan_in=fan_in,
        fan_out=fan_out,
        global_shape=global_shape,
        index=index,
    )


def he_uniform(
    shape: ShapeLike,
    dtype=np.float32,
    *,
    seed: Optional[int] = None,
    stream: Stream = 0,
    threads: Optional[int] = None,
    in_axis: Axes = DEFAULT_IN_AXIS,
    out_axis: Axes = DEFAULT_OUT_AXIS,
    batch_axis: Axes = DEFAULT_BATCH_AXIS,
    layout: str = "jax",
    fan_in: Optional[int] = None,
    fan_out: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index=None,
) -> np.ndarray:
    """Return a new array of `shape` filled as :func:`he_uniform_` fills it.

    Parameters
    ----------
    shape, dtype, seed, stream, threads, in_axis, out_axis, batch_axis, layout, \
fan_in, fan_out, global_shape, index
        As in :func:`variance_scaling`.

    Returns
    -------
    numpy.ndarray
        The new array, C-ordered.

    Raises
    ------
    ImportError, TypeError, ValueError
        As in :func:`variance_scaling`.

    Examples
    --------
    >>> import fastxavier
    >>> fastxavier.he_uniform((3, 3, 16, 32), seed=0).shape
    (3, 3, 16, 32)
    """
    return _allocate_jax_scheme(
        "he_uniform",
        shape,
        dtype,
        seed,
        stream,
        threads,
        in_axis,
        out_axis,
        batch_axis,
        layout,
        fan_in,
        fan_out,
        global_shape,
        index,
    )


def he_normal(
    shape: ShapeLike,
    dtype=np.float32,
    *,
    seed: Optional[int] = None,
    stream: Stream = 0,
    threads: Optional[int] = None,
    in_axis: Axes = DEFAULT_IN_AXIS,
    out_axis: Axes = DEFAULT_OUT_AXIS,
    batch_axis: Axes = DEFAULT_BATCH_AXIS,
    layout: str = "jax",
    fan_in: Optional[int] = None,
    fan_out: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index=None,
) -> np.ndarray:
    """Return a new array of `shape` filled as :func:`he_normal_` fills it.

    Parameters
    ----------
    shape, dtype, seed, stream, threads, in_axis, out_axis, batch_axis, layout, \
fan_in, fan_out, global_shape, index
        As in :func:`variance_scaling`.

    Returns
    -------
    numpy.ndarray
        The new array, C-ordered.

    Raises
    ------
    ImportError, TypeError, ValueError
        As in :func:`variance_scaling`.

    Examples
    --------
    >>> import fastxavier
    >>> fastxavier.he_normal((784, 256), "float64", seed=0).dtype.name
    'float64'
    """
    return _allocate_jax_scheme(
        "he_normal",
        shape,
        dtype,
        seed,
        stream,
        threads,
        in_axis,
        out_axis,
        batch_axis,
        layout,
        fan_in,
        fan_out,
        global_shape,
        index,
    )


def lecun_uniform(
    shape: ShapeLike,
    dtype=np.float32,
    *,
    seed: Optional[int] = None,
    stream: Stream = 0,
    threads: Optional[int] = None,
    in_axis: Axes = DEFAULT_IN_AXIS,
    out_axis: Axes = DEFAULT_OUT_AXIS,
    batch_axis: Axes = DEFAULT_BATCH_AXIS,
    layout: str = "jax",
    fan_in: Optional[int] = None,
    fan_out: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index=None,
) -> np.ndarray:
    """Return a new array of `shape` filled as :func:`lecun_uniform_` fills it.

    Parameters
    ----------
    shape, dtype, seed, stream, threads, in_axis, out_axis, batch_axis, layout, \
fan_in, fan_out, global_shape, index
        As in :func:`variance_scaling`.

    Returns
    -------
    numpy.ndarray
        The new array, C-ordered.

    Raises
    ------
    ImportError, TypeError, ValueError
        As in :func:`variance_scaling`.

    Examples
    --------
    >>> import fastxavier
    >>> fastxavier.lecun_uniform((64, 10), seed=0).shape
    (64, 10)
    """
    return _allocate_jax_scheme(
        "lecun_uniform",
        shape,
        dtype,
        seed,
        stream,
        threads,
        in_axis,
        out_axis,
        batch_axis,
        layout,
        fan_in,
        fan_out,
        global_shape,
        index,
    )


def lecun_normal(
    shape: ShapeLike,
    dtype=np.float32,
    *,
    seed: Optional[int] = None,
    stream: Stream = 0,
    threads: Optional[int] = None,
    in_axis: Axes = DEFAULT_IN_AXIS,
    out_axis: Axes = DEFAULT_OUT_AXIS,
    batch_axis: Axes = DEFAULT_BATCH_AXIS,
    layout: str = "jax",
    fan_in: Optional[int] = None,
    fan_out: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index=None,
) -> np.ndarray:
    """Return a new array of `shape` filled as :func:`lecun_normal_` fills it.

    Parameters
    ----------
    shape, dtype, seed, stream, threads, in_axis, out_axis, batch_axis, layout, \
fan_in, fan_out, global_shape, index
        As in :func:`variance_scaling`.

    Returns
    -------
    numpy.ndarray
        The new array, C-ordered.

    Raises
    ------
    ImportError, TypeError, ValueError
        As in :func:`variance_scaling`.

    Examples
    --------
    >>> import fastxavier
    >>> fastxavier.lecun_normal((64, 10), "float16", seed=0).dtype.name
    'float16'
    """
    return _allocate_jax_scheme(
        "lecun_normal",
        shape,
        dtype,
        seed,
        stream,
        threads,
        in_axis,
        out_axis,
        batch_axis,
        layout,
        fan_in,
        fan_out,
        global_shape,
        index,
    )


def glorot_uniform(
    shape: ShapeLike,
    dtype=np.float32,
    *,
    seed: Optional[int] = None,
    stream: Stream = 0,
    threads: Optional[int] = None,
    in_axis: Axes = DEFAULT_IN_AXIS,
    out_axis: Axes = DEFAULT_OUT_AXIS,
    batch_axis: Axes = DEFAULT_BATCH_AXIS,
    layout: str = "jax",
    fan_in: Optional[int] = None,
    fan_out: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index=None,
) -> np.ndarray:
    """Return a new array of `shape` filled as :func:`glorot_uniform_` fills it.

    Parameters
    ----------
    shape, dtype, seed, stream, threads, in_axis, out_axis, batch_axis, layout, \
fan_in, fan_out, global_shape, index
        As in :func:`variance_scaling`.

    Returns
    -------
    numpy.ndarray
        The new array, C-ordered.

    Raises
    ------
    ImportError, TypeError, ValueError
        As in :func:`variance_scaling`.

    Examples
    --------
    >>> import fastxavier
    >>> fastxavier.glorot_uniform((784, 256), "bfloat16", seed=0).dtype.name
    'bfloat16'
    """
    return _allocate_jax_scheme(
        "glorot_uniform",
        shape,
        dtype,
        seed,
        stream,
        threads,
        in_axis,
        out_axis,
        batch_axis,
        layout,
        fan_in,
        fan_out,
        global_shape,
        index,
    )


def glorot_normal(
    shape: ShapeLike,
    dtype=np.float32,
    *,
    seed: Optional[int] = None,
    stream: Stream = 0,
    threads: Optional[int] = None,
    in_axis: Axes = DEFAULT_IN_AXIS,
    out_axis: Axes = DEFAULT_OUT_AXIS,
    batch_axis: Axes = DEFAULT_BATCH_AXIS,
    layout: str = "jax",
    fan_in: Optional[int] = None,
    fan_out: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index=None,
) -> np.ndarray:
    """Return a new array of `shape` filled as :func:`glorot_normal_` fills it.

    Parameters
    ----------
    shape, dtype, seed, stream, threads, in_axis, out_axis, batch_axis, layout, \
fan_in, fan_out, global_shape, index
        As in :func:`variance_scaling`.

    Returns
    -------
    numpy.ndarray
        The new array, C-ordered.

    Raises
    ------
    ImportError, TypeError, ValueError
        As in :func:`variance_scaling`.

    Examples
    --------
    >>> import fastxavier
    >>> fastxavier.glorot_normal((128, 64), seed=0).shape
    (128, 64)
    """
    return _allocate_jax_scheme(
        "glorot_normal",
        shape,
        dtype,
        seed,
        stream,
        threads,
        in_axis,
        out_axis,
        batch_axis,
        layout,
        fan_in,
        fan_out,
        global_shape,
        index,
    )
