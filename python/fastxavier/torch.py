"""Drop-in replacements for torch.nn.init that fill CPU tensors in place through
fastxavier's Philox stream, and :func:`init_module_` for whole models.

Each drop-in has the signature of its torch.nn.init namesake (PyTorch 2.13) followed
by keyword-only fastxavier arguments: ``seed``, ``stream``, ``threads``, and
``global_shape`` with ``index`` for a shard of a larger tensor. The tensor's memory is
written through a NumPy view of the same storage, so nothing is copied. A tensor that
NumPy cannot view (on another device, on the meta device, sparse) is rejected before
anything is written. Importing this module imports torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

try:
    import torch
except ImportError as error:
    raise ImportError(
        "fastxavier.torch needs PyTorch, which is not installed. Install a CPU build, "
        "such as the version the tests use: `pip install torch==2.13.0 --index-url "
        "https://download.pytorch.org/whl/cpu` (a plain `pip install torch` on Linux "
        "gets a CUDA build of several GB)"
    ) from error

import fastxavier

from . import _family
from ._checks import (
    check_gain,
    check_positive,
    check_real,
    check_threads,
    check_uint64,
)

__all__ = [
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "trunc_normal_",
    "init_module_",
]

_SUPPORTED_DTYPES = (torch.float32, torch.float64, torch.float16, torch.bfloat16)


# ---- the NumPy view of a tensor ------------------------------------------------------


def _check_tensor(tensor: object) -> None:
    """Raise unless NumPy can view `tensor`'s own memory and every element is distinct.

    Raises TypeError for anything but a floating tensor, as the NumPy fills do for a
    wrong dtype, and ValueError for a floating tensor whose memory NumPy cannot reach.
    """
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(
            f"tensor must be a torch.Tensor, got {type(tensor).__name__}; for a NumPy "
            "array use the fills of fastxavier itself, such as fastxavier.uniform_"
        )
    if tensor.dtype not in _SUPPORTED_DTYPES:
        raise TypeError(
            f"tensor has dtype {tensor.dtype}; expected torch.float32, torch.float64, "
            "torch.float16 or torch.bfloat16"
        )
    _check_device(tensor)
    _check_memory(tensor)


def _check_device(tensor) -> None:
    if tensor.is_meta:
        raise ValueError(
            "tensor is on the meta device and has no memory to fill; materialize it on "
            'the CPU first, e.g. module.to_empty(device="cpu") or '
            'torch.empty_like(tensor, device="cpu"), then fill it'
        )
    if tensor.device.type != "cpu":
        raise ValueError(
            f"tensor is on device {tensor.device}; fastxavier fills CPU memory only: "
            "fill a CPU tensor, then move it with .to(device) or copy it into the "
            "device tensor with copy_"
        )


def _check_memory(tensor) -> None:
    if tensor.layout != torch.strided:
        raise ValueError(
            f"tensor has layout {tensor.layout}; expected torch.strided (a dense "
            "tensor): fill a dense tensor and convert it after"
        )
    if type(tensor).__torch_dispatch__ is not torch.Tensor.__torch_dispatch__:
        # A wrapper subclass (DTensor, FakeTensor) keeps its elements elsewhere or
        # nowhere, but a plain subclass is a dense tensor and passes.
        raise ValueError(
            f"tensor has type {type(tensor).__name__}, a wrapper subclass whose "
            "elements are not in its own memory; fill its local tensor (for a "
            "DTensor, to_local()) with global_shape= and index="
        )
    if tensor.is_neg():
        raise ValueError(
            "tensor is a negated view (tensor.is_neg() is True); fill the tensor it "
            "views instead"
        )
    if _may_overlap(tensor.shape, tensor.stride()):
        raise ValueError(
            f"tensor has shape {tuple(tensor.shape)} and strides {tensor.stride()}, "
            "which may map several elements to one memory location (an expanded "
            "view); fill a tensor that owns its elements, e.g. tensor.contiguous()"
        )


def _may_overlap(shape, strides) -> bool:
    """Return False if no two elements share memory, True if they might.

    Sufficient test: taken by increasing stride, each dimension's stride must pass the
    furthest offset the smaller dimensions reach.
    """
    dims = sorted((stride, size) for size, stride in zip(shape, strides) if size > 1)
    reach = 1
    for stride, size in dims:
        if stride < reach:
            return True
        reach += stride * (size - 1)
    return False


def _bfloat16_dtype() -> np.dtype:
    try:
        import ml_dtypes
    except ImportError:
        raise ImportError(
            "bfloat16 tensors need the ml_dtypes package for a NumPy view; install "
            "it with pip install ml_dtypes"
        ) from None
    return np.dtype(ml_dtypes.bfloat16)


def _numpy_view(tensor) -> np.ndarray:
    """Return a writable NumPy view of `tensor`'s memory, with its shape and strides."""
    _check_tensor(tensor)
    detached = tensor.detach()
    if tensor.dtype == torch.bfloat16:
        # NumPy has no bfloat16: view the 16-bit words as int16, then as ml_dtypes'.
        array = detached.view(torch.int16).numpy().view(_bfloat16_dtype())
    else:
        array = detached.numpy()
    _check_same_memory(array, tensor)
    return array


def _check_same_memory(array: np.ndarray, tensor) -> None:
    # Contract of the drop-ins: they write the tensor itself, never a copy.
    if array.size == 0:
        return
    byte_strides = tuple(step * tensor.element_size() for step in tensor.stride())
    if array.ctypes.data != tensor.data_ptr() or array.strides != byte_strides:
        raise RuntimeError(
            "the NumPy view of the tensor does not share its memory; this is a bug in "
            "fastxavier.torch, please report it with the tensor's dtype and strides"
        )


# ---- generators and the shared fill step -------------------------------------------


def _check_generator(generator: object, seed: object) -> None:
    if generator is None:
        return
    if isinstance(generator, torch.Generator):
        raise TypeError(
            "generator is a torch.Generator, which cannot drive fastxavier's Philox "
            "stream; pass a fastxavier.Generator, or seed= (and stream=) instead"
        )
    if not isinstance(generator, fastxavier.Generator):
        raise TypeError(
            f"generator has type {type(generator).__name__}; expected a "
            "fastxavier.Generator or None"
        )
    if seed is not None:
        raise TypeError("pass either generator= or seed=, not both")


@dataclass(frozen=True)
class _Key:
    """Key arguments of a drop-in call, unchecked."""

    generator: Any
    seed: Any
    stream: Any
    threads: Any


def _fill(tensor, name: str, key: _Key, global_shape, index, **arguments):
    """Fill `tensor` through its NumPy view with the NumPy fill `name`, and return it.

    The fill is ``fastxavier.<name>`` with `key.seed`, or the method `name` of
    `key.generator`. Both check every argument before they take a stream, so a call
    that raises takes none.
    """
    array = _numpy_view(tensor)
    _check_generator(key.generator, key.seed)
    shard = {"threads": key.threads, "global_shape": global_shape, "index": index}
    with torch.no_grad():
        if key.generator is None:
            stream = 0 if key.stream is None else key.stream
            getattr(fastxavier, name)(
                array, **arguments, seed=key.seed, stream=stream, **shard
            )
        else:
            getattr(key.generator, name)(array, **arguments, stream=key.stream, **shard)
    # Writes through NumPy bypass autograd's version counter. Bump it as an in-place
    # torch op does, so autograd rejects a backward pass that saved the old values.
    torch.autograd.graph.increment_version(tensor)
    return tensor


# ---- Xavier/Glorot -------------------------------------------------------------------


def xavier_uniform_(
    tensor,
    gain: float = 1.0,
    generator=None,
    *,
    seed: Optional[int] = None,
    stream: Any = None,
    threads: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index: Any = None,
):
    """Fill `tensor` in place with Xavier/Glorot uniform values and return it.

    Values come from U(-a, a), every one strictly inside, with
    a = gain * sqrt(6 / (fan_in + fan_out)) and the fans of torch.nn.init (shape read
    as (out_features, in_features, *kernel)). The tensor gets exactly the values
    :func:`fastxavier.uniform_` writes into a NumPy array of its shape and dtype.

    Parameters
    ----------
    tensor : torch.Tensor
        CPU tensor of dtype float32, float64, float16 or bfloat16, of at least 2
        dimensions, contiguous or a strided view (transposed, sliced). A parameter
        that requires grad is accepted. Written in place through its own memory,
        element ``i`` in C order from element ``i`` of the stream.
    gain : float, default 1.0
        Finite, >= 0; see :func:`fastxavier.calculate_gain`.
    generator : fastxavier.Generator, optional
        Generator whose seed keys the fill; a call without `stream` takes its next
        stream. None with `seed` None takes the next stream of fastxavier's default
        generator (:func:`fastxavier.manual_seed`), which torch.manual_seed does not
        affect. A torch.Generator is rejected.
    seed : int, optional
        Philox key in [0, 2**64), instead of `generator`.
    stream : int or str, optional
        Stream in [0, 2**64), or a name such as a parameter's qualified name, hashed
        with :func:`fastxavier.stream_of_name`. With `seed`, None means stream 0.
        With `generator`, None takes its next stream and a value selects that
        stream. With neither, it must stay None or 0.
    threads : int, optional
        Threads for this call (>= 1); the values do not depend on it.
    global_shape : tuple of int, optional
        Shape of the full tensor of which `tensor` is the part at `index`, as in
        tensor parallelism. The fill writes the values that a fill of the full
        tensor writes there, with the fans of `global_shape`.
    index : slice, int or tuple of them, optional
        Position of `tensor` in the full tensor, as basic indexing would select it
        (``full[index]`` has the shape of `tensor`). Needs `global_shape`.

    Returns
    -------
    torch.Tensor
        `tensor` itself.

    Raises
    ------
    TypeError
        If `tensor` is not a torch.Tensor of a dtype above (PyTorch 2.13 raises
        NotImplementedError for integer tensors), `generator` is a torch.Generator
        or another non-fastxavier object, both `generator` and `seed` are given, or an
        argument has the wrong type.
    ValueError
        If `tensor` is on the meta device or a non-CPU device, is sparse, is a
        wrapper subclass such as DTensor, or has elements that share memory; if
        `gain`, `seed`, `stream`, `threads`, `global_shape` or `index` is out of
        range; or if the fans cannot be computed (fewer than 2 dimensions).
        The tensor is not modified.
    """
    key = _Key(generator, seed, stream, threads)
    return _fill(tensor, "uniform_", key, global_shape, index, gain=gain)


def xavier_normal_(
    tensor,
    gain: float = 1.0,
    generator=None,
    *,
    seed: Optional[int] = None,
    stream: Any = None,
    threads: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index: Any = None,
):
    """Fill `tensor` in place with Xavier/Glorot normal values and return it.

    Values come from N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)),
    exactly those :func:`fastxavier.normal_` writes into a NumPy array. Parameters,
    return value and errors are those of :func:`xavier_uniform_`.
    """
    key = _Key(generator, seed, stream, threads)
    return _fill(tensor, "normal_", key, global_shape, index, gain=gain)


# ---- Kaiming/He ----------------------------------------------------------------------


def kaiming_uniform_(
    tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator=None,
    *,
    seed: Optional[int] = None,
    stream: Any = None,
    threads: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index: Any = None,
):
    """Fill `tensor` in place with Kaiming/He uniform values and return it.

    Values come from U(-bound, bound), every one strictly inside, with
    bound = sqrt(3) * gain / sqrt(fan), gain = ``calculate_gain(nonlinearity, a)``
    and fan the fan_in or fan_out of the shape, as chosen by `mode`: the formula of
    torch.nn.init.kaiming_uniform_ (He et al., "Delving Deep into Rectifiers",
    ICCV 2015). The tensor gets exactly the values fastxavier's NumPy
    ``kaiming_uniform_`` writes.

    Parameters
    ----------
    tensor : torch.Tensor
        As in :func:`xavier_uniform_`.
    a : float, default 0
        Negative slope of the rectifier after this layer, used by ``"leaky_relu"``.
    mode : {"fan_in", "fan_out"}, default "fan_in"
        Which fan sets the scale (case-insensitive).
    nonlinearity : str, default "leaky_relu"
        A name accepted by :func:`fastxavier.calculate_gain`.
    generator, seed, stream, threads, global_shape, index
        As in :func:`xavier_uniform_`.

    Returns
    -------
    torch.Tensor
        `tensor` itself.

    Raises
    ------
    TypeError, ValueError
        As in :func:`xavier_uniform_`, and ValueError for an unknown `mode` or
        `nonlinearity` or a non-finite `a`. Unlike torch.nn.init, a zero-element
        tensor is a silent no-op.
    """
    key = _Key(generator, seed, stream, threads)
    return _fill(
        tensor,
        "kaiming_uniform_",
        key,
        global_shape,
        index,
        a=a,
        mode=mode,
        nonlinearity=nonlinearity,
    )


def kaiming_normal_(
    tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator=None,
    *,
    seed: Optional[int] = None,
    stream: Any = None,
    threads: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index: Any = None,
):
    """Fill `tensor` in place with Kaiming/He normal values and return it.

    Values come from N(0, std^2), untruncated, with std = gain / sqrt(fan), gain and
    fan as in :func:`kaiming_uniform_`, whose parameters, return value and errors
    apply.
    """
    key = _Key(generator, seed, stream, threads)
    return _fill(
        tensor,
        "kaiming_normal_",
        key,
        global_shape,
        index,
        a=a,
        mode=mode,
        nonlinearity=nonlinearity,
    )


# ---- truncated normal ----------------------------------------------------------------


def trunc_normal_(
    tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator=None,
    *,
    seed: Optional[int] = None,
    stream: Any = None,
    threads: Optional[int] = None,
    global_shape: Optional[tuple[int, ...]] = None,
    index: Any = None,
):
    """Fill `tensor` in place with N(mean, std^2) truncated to [a, b] and return it.

    `a` and `b` are absolute bounds, as in torch.nn.init. The values are exactly
    those :func:`fastxavier.trunc_normal_` writes into a NumPy array: one
    inverse-CDF draw per element, so every value is finite and inside [a, b].

    Parameters
    ----------
    tensor : torch.Tensor
        As in :func:`xavier_uniform_`, of any number of dimensions.
    mean : float, default 0.0
        Finite.
    std : float, default 1.0
        Finite, > 0.
    a, b : float, default -2.0 and 2.0
        Bounds with a < b; either may be infinite.
    generator, seed, stream, threads, global_shape, index
        As in :func:`xavier_uniform_`.

    Returns
    -------
    torch.Tensor
        `tensor` itself.

    Raises
    ------
    TypeError, ValueError
        As in :func:`xavier_uniform_`, and ValueError if a >= b, std <= 0, or the
        interval lies more than about 36 standard deviations from the mean.
    """
    key = _Key(generator, seed, stream, threads)
    return _fill(
        tensor, "trunc_normal_", key, global_shape, index, mean=mean, std=std, a=a, b=b
    )


# ---- whole modules -------------------------------------------------------------------

_SCHEMES = {
    "xavier_uniform": xavier_uniform_,
    "xavier_normal": xavier_normal_,
    "kaiming_uniform": kaiming_uniform_,
    "kaiming_normal": kaiming_normal_,
    "trunc_normal": trunc_normal_,
}

_NORM_TYPES = (
    torch.nn.modules.batchnorm._NormBase,  # BatchNorm*, SyncBatchNorm, InstanceNorm*
    torch.nn.LayerNorm,
    torch.nn.GroupNorm,
    torch.nn.RMSNorm,
)

_EMBEDDING_TYPES = (torch.nn.Embedding, torch.nn.EmbeddingBag)


@dataclass(frozen=True)
class _ParameterPlan:
    """Plan of init_module_ for one parameter: its stream name, tensor and rule."""

    name: str
    tensor: Any
    rule: str  # "scheme", "zeros", "ones" or "keep"
    padding_idx: Optional[int] = None


def _rule_of(owner, local_name: str, parameter, bias: str) -> str:
    """Return the rule of a parameter from its owning module and local name."""
    if isinstance(owner, _NORM_TYPES):
        return "ones" if local_name == "weight" else bias
    if parameter.dim() >= 2:
        return "scheme"
    if "bias" in local_name:
        return bias
    return "keep"


def _plan_module(module, prefix: str, bias: str) -> list[_ParameterPlan]:
    """List every distinct parameter once, under the first name it is reached by."""
    plans = []
    seen = set()
    for owner_name, owner in module.named_modules(prefix=prefix):
        for local_name, parameter in owner.named_parameters(recurse=False):
            if id(parameter) in seen:
                continue
            seen.add(id(parameter))
            name = f"{owner_name}.{local_name}" if owner_name else local_name
            _check_materialized(name, parameter)
            padding_idx = None
            if isinstance(owner, _EMBEDDING_TYPES) and local_name == "weight":
                padding_idx = owner.padding_idx
            rule = _rule_of(owner, local_name, parameter, bias)
            plans.append(_ParameterPlan(name, parameter, rule, padding_idx))
    return plans


def _check_materialized(name: str, parameter) -> None:
    if isinstance(parameter, torch.nn.parameter.UninitializedParameter):
        raise ValueError(
            f"parameter {name!r} of a lazy module is not materialized yet; run one "
            "forward pass before init_module_"
        )


def _check_plan(plan: _ParameterPlan, scheme_fill, arguments: dict, seed, threads):
    """Raise what applying `plan` would raise, without writing the parameter."""
    if plan.rule == "keep":
        return
    try:
        _numpy_view(plan.tensor)
        if plan.rule == "scheme" and plan.tensor.numel() > 0:
            # Filling one element of the parameter's shape, on a scratch tensor, runs
            # every check of the real fill, such as the fans and a bound or std that
            # the dtype cannot hold.
            shape = tuple(plan.tensor.shape)
            probe = torch.empty(
                (1,) * len(shape), dtype=plan.tensor.dtype, device="cpu"
            )
            scheme_fill(
                probe,
                **arguments,
                seed=seed,
                stream=plan.name,
                threads=threads,
                global_shape=shape,
                index=(slice(0, 1),) * len(shape),
            )
    except (TypeError, ValueError) as error:
        raise type(error)(f"parameter {plan.name!r}: {error}") from None


def _check_option_types(options: dict) -> None:
    """Raise TypeError for an init_module_ option of the wrong type.

    `options` maps each option's name to its value. scheme, bias, mode, nonlinearity
    and prefix must be str, and gain, a and std real numbers.
    """
    for name in ("scheme", "bias", "mode", "nonlinearity", "prefix"):
        value = options[name]
        if not isinstance(value, str):
            raise TypeError(
                f"{name}={value!r} has type {type(value).__name__}; expected a str"
            )
    for name in ("gain", "a", "std"):
        check_real(options[name], name)


def _scheme_arguments(scheme, gain, a, mode, nonlinearity, std) -> dict:
    """Return the keyword arguments of the scheme's drop-in; reject unused options."""
    if scheme not in _SCHEMES:
        raise ValueError(
            f"scheme={scheme!r} is invalid; expected one of {', '.join(_SCHEMES)}"
        )
    unused = []
    if not scheme.startswith("xavier") and gain != 1.0:
        unused.append("gain")
    kaiming_options = {
        "a": a != 0,
        "mode": mode != "fan_in",
        "nonlinearity": nonlinearity != "leaky_relu",
    }
    if not scheme.startswith("kaiming"):
        unused.extend(name for name, changed in kaiming_options.items() if changed)
    if scheme != "trunc_normal" and std != 0.02:
        unused.append("std")
    if unused:
        raise ValueError(f"scheme={scheme!r} does not use {', '.join(unused)}")
    if scheme.startswith("xavier"):
        return {"gain": check_gain(gain)}
    if scheme.startswith("kaiming"):
        _family.check_kaiming_mode(mode)
        _family.kaiming_gain(nonlinearity, a)
        return {"a": a, "mode": mode, "nonlinearity": nonlinearity}
    std = check_positive(std, "std")
    return {"mean": 0.0, "std": std, "a": -2.0 * std, "b": 2.0 * std}


def _apply_plan(plan: _ParameterPlan, scheme_fill, arguments: dict, seed, threads):
    if plan.rule == "scheme":
        scheme_fill(
            plan.tensor, **arguments, seed=seed, stream=plan.name, threads=threads
        )
        if plan.padding_idx is not None:
            with torch.no_grad():
                plan.tensor[plan.padding_idx].zero_()
    elif plan.rule == "zeros":
        with torch.no_grad():
            plan.tensor.zero_()
    elif plan.rule == "ones":
        with torch.no_grad():
            plan.tensor.fill_(1.0)


def init_module_(
    module,
    *,
    seed: int,
    scheme: str = "xavier_uniform",
    gain: float = 1.0,
    bias: str = "zeros",
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    std: float = 0.02,
    prefix: str = "",
    threads: Optional[int] = None,
):
    """Re-initialize every parameter of `module` in place and return the module.

    Each parameter drawn from the scheme gets the stream of its qualified name, the
    name that ``module.named_parameters()`` lists (after `prefix`), hashed by
    ``fastxavier.stream_of_name``. So its values depend only on `seed`, its name,
    shape and dtype, and adding, removing or reordering other layers leaves them
    unchanged.
    A parameter shared by several modules is set once, by the rule of the first
    module that reaches it. Buffers (such as BatchNorm's running statistics) are
    left as they are.

    Rules, in order:

    1. A weight of a normalization layer (BatchNorm, InstanceNorm, LayerNorm,
       GroupNorm, RMSNorm) is set to ones and its bias by `bias`.
    2. Any other parameter with 2 or more dimensions gets the scheme, with fans
       from its own shape as torch.nn.init computes them: Linear, Conv and
       ConvTranspose weights, MultiheadAttention's in_proj_weight, bias_k and
       bias_v, recurrent weights, and Embedding weights, whose padding_idx row is
       then zeroed as PyTorch does.
    3. A parameter with fewer dimensions whose name contains "bias" is set by
       `bias`.
    4. Any other parameter with fewer than 2 dimensions (such as PReLU's slope) is
       left as its module initialized it, because no scheme defines it and zero
       would change what the layer computes.

    Parameters
    ----------
    module : torch.nn.Module
        Module whose parameters are all dense CPU tensors of a floating dtype that
        :func:`xavier_uniform_` accepts. Checked entirely before anything is
        written.
    seed : int
        Philox key in [0, 2**64). Required, so the result is reproducible.
    scheme : str, default "xavier_uniform"
        "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal" or
        "trunc_normal".
    gain : float, default 1.0
        Gain of the xavier schemes.
    bias : {"zeros", "keep"}, default "zeros"
        "zeros" sets biases to 0; "keep" leaves them as they are.
    a, mode, nonlinearity
        Arguments of the kaiming schemes, defaults as in :func:`kaiming_uniform_`.
    std : float, default 0.02
        Standard deviation of "trunc_normal", which draws N(0, std^2) truncated to
        [-2 std, 2 std].
    prefix : str, default ""
        Prefix of every qualified name, joined with a dot: pass ``"encoder"`` when
        initializing ``model.encoder`` alone to get the streams of
        ``init_module_(model, ...)``.
    threads : int, optional
        Threads of each fill; the values do not depend on it.

    Returns
    -------
    torch.nn.Module
        `module` itself.

    Raises
    ------
    TypeError
        If `module` is not a torch.nn.Module, an option has the wrong type
        (`scheme`, `bias`, `mode`, `nonlinearity` or `prefix` not a str, `gain`,
        `a` or `std` not a real number, `seed` or `threads` not an integer), or a
        parameter has a dtype the drop-ins reject.
    ValueError
        If `scheme` or `bias` is unknown, an option is given that `scheme` does not
        use, a parameter is on the meta or a non-CPU device, a lazy module is not
        materialized, or the scheme's fill of a parameter would raise (for example
        a bound or std that the parameter's dtype cannot hold). Nothing is written
        then.
    """
    if not isinstance(module, torch.nn.Module):
        raise TypeError(
            f"module must be a torch.nn.Module, got {type(module).__name__}"
        )
    seed = check_uint64(seed, "seed")
    _check_option_types(
        {
            "scheme": scheme,
            "bias": bias,
            "mode": mode,
            "nonlinearity": nonlinearity,
            "prefix": prefix,
            "gain": gain,
            "a": a,
            "std": std,
        }
    )
    arguments = _scheme_arguments(scheme, gain, a, mode, nonlinearity, std)
    if bias not in ("zeros", "keep"):
        raise ValueError(f"bias={bias!r} is invalid; expected 'zeros' or 'keep'")
    check_threads(threads)

    scheme_fill = _SCHEMES[scheme]
    plans = _plan_module(module, prefix, bias)
    for plan in plans:
        _check_plan(plan, scheme_fill, arguments, seed, threads)
    for plan in plans:
        _apply_plan(plan, scheme_fill, arguments, seed, threads)
    return module
