"""Main job of the command line: initialize a GPT-2 shaped model in memory.

Every 2-D weight gets Xavier values with fans from its shape, biases get zeros and
layer-norm weights get ones. The job times this init against ``ndarray.fill`` on the
same buffers and compares the empirical standard deviation of each weight with the
expected one.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

import fastxavier

from ._api import xavier_bound, xavier_std

VOCAB_SIZE = 50257
CONTEXT_LENGTH = 1024


@dataclass(frozen=True)
class ModelShape:
    """Width (embedding size) and number of transformer layers of a GPT-2 model."""

    width: int
    layers: int


MODELS = {
    "gpt2": ModelShape(768, 12),
    "gpt2-medium": ModelShape(1024, 24),
    "gpt2-large": ModelShape(1280, 36),
    "gpt2-xl": ModelShape(1600, 48),
}

# Initial value of a tensor: Xavier values of the chosen distribution, or a constant.
XAVIER = "xavier"
CONSTANTS = {"zeros": 0.0, "ones": 1.0}

# Value that the ndarray.fill baseline writes into the Xavier weights.
BASELINE_VALUE = 0.5

DISTRIBUTIONS = {"uniform": fastxavier.uniform_, "normal": fastxavier.normal_}

# Kurtosis E[x^4] / std^4 of each distribution. For n values, the relative standard
# error of the sample std is about sqrt((kurtosis - 1) / (4 n)) when n is large.
KURTOSIS = {"uniform": 1.8, "normal": 3.0}

# The job needs memory beyond its tensors: the interpreter and NumPy, the float64
# chunk of the std check, and what other processes allocate meanwhile. MemAvailable
# itself is only the kernel's estimate. So the tensors may take at most 90 % of the
# available memory, less 256 MiB.
# NOTE: the 10 % and the 256 MiB are estimates, not measured limits.
MARGIN_FRACTION = 0.10
MARGIN_BYTES = 256 << 20

MEMINFO_PATH = "/proc/meminfo"

# Elements per float64 chunk of the std check. At 512 KiB the chunk stays in a
# typical L2 cache between its copy and its two reductions.
STD_CHUNK_ELEMENTS = 1 << 16


@dataclass(frozen=True)
class TensorSpec:
    """Name, shape and initial value (XAVIER or a key of CONSTANTS) of a parameter."""

    name: str
    shape: tuple[int, ...]
    init: str

    @property
    def size(self) -> int:
        return math.prod(self.shape)


@dataclass(frozen=True)
class StdCheck:
    """Weight whose empirical std deviates most from the expected std.

    `deviation` is abs(empirical - expected) / expected. `standard_error` is the
    relative deviation that sampling alone gives, one standard error, for that
    weight's size.
    """

    name: str
    deviation: float
    standard_error: float


@dataclass(frozen=True)
class JobResult:
    """Settings, timings and std check of one run of the main job."""

    model: str
    dtype: str
    distribution: str
    threads: int
    isa: str
    specs: list[TensorSpec]
    nbytes: int
    fill_seconds: float
    init_seconds: float
    std: StdCheck


def gpt2_tensors(model: str) -> list[TensorSpec]:
    """Return the parameter tensors of a GPT-2 model, in PyTorch's layouts.

    Linear weights have shape (out_features, in_features). The output head shares
    the token embedding, as in GPT-2, so it adds no tensor.

    Parameters
    ----------
    model : str
        A key of MODELS.

    Returns
    -------
    list of TensorSpec
        Embeddings, then each layer's tensors, then the final layer norm.
    """
    width = MODELS[model].width
    tensors = [
        TensorSpec("wte.weight", (VOCAB_SIZE, width), XAVIER),
        TensorSpec("wpe.weight", (CONTEXT_LENGTH, width), XAVIER),
    ]
    for layer in range(MODELS[model].layers):
        tensors += _block_tensors(f"h.{layer}", width)
    tensors += _layer_norm_tensors("ln_f", width)
    return tensors


def _block_tensors(prefix: str, width: int) -> list[TensorSpec]:
    return [
        *_layer_norm_tensors(f"{prefix}.ln_1", width),
        *_linear_tensors(f"{prefix}.attn.c_attn", width, 3 * width),
        *_linear_tensors(f"{prefix}.attn.c_proj", width, width),
        *_layer_norm_tensors(f"{prefix}.ln_2", width),
        *_linear_tensors(f"{prefix}.mlp.c_fc", width, 4 * width),
        *_linear_tensors(f"{prefix}.mlp.c_proj", 4 * width, width),
    ]


def _layer_norm_tensors(prefix: str, width: int) -> list[TensorSpec]:
    return [
        TensorSpec(f"{prefix}.weight", (width,), "ones"),
        TensorSpec(f"{prefix}.bias", (width,), "zeros"),
    ]


def _linear_tensors(
    prefix: str, in_features: int, out_features: int
) -> list[TensorSpec]:
    return [
        TensorSpec(f"{prefix}.weight", (out_features, in_features), XAVIER),
        TensorSpec(f"{prefix}.bias", (out_features,), "zeros"),
    ]


def count_parameters(specs: Sequence[TensorSpec]) -> int:
    """Return the total number of elements of `specs`."""
    return sum(spec.size for spec in specs)


def available_memory_bytes(meminfo_path: str = MEMINFO_PATH) -> int | None:
    """Return the memory available for new allocations in bytes, or None if unknown.

    Reads MemAvailable from `meminfo_path` (Linux 3.14 and later). Without it, returns
    the free physical pages from ``os.sysconf``, which omits reclaimable caches and
    so underestimates.
    """
    mem_available = _read_mem_available(meminfo_path)
    if mem_available is not None:
        return mem_available
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return None


def _read_mem_available(meminfo_path: str) -> int | None:
    try:
        with open(meminfo_path, encoding="ascii") as meminfo:
            for line in meminfo:
                key, _, value = line.partition(":")
                if key == "MemAvailable":
                    # The kernel writes "kB" but means KiB.
                    return int(value.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def usable_memory_bytes(available: int) -> int:
    """Return the bytes the tensors may take out of `available`, after the margin."""
    return max(0, int(available * (1 - MARGIN_FRACTION)) - MARGIN_BYTES)


def memory_error(model: str, dtype: str, needed: int, available: int) -> str | None:
    """Return the error message when `needed` exceeds the usable memory, else None."""
    usable = usable_memory_bytes(available)
    if needed <= usable:
        return None
    hint = "Choose a smaller --model"
    if dtype != "float32":
        hint += " or --dtype float32"
    return (
        f"fastxavier: error: not enough memory for model {model} in {dtype}. It needs "
        f"{needed:,} bytes ({_gigabytes(needed)}), but only {usable:,} bytes "
        f"({_gigabytes(usable)}) are available: {available:,} bytes of available "
        f"memory less a safety margin of {MARGIN_FRACTION:.0%} and "
        f"{MARGIN_BYTES >> 20} MiB. {hint}."
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the main job's options."""
    parser = argparse.ArgumentParser(
        prog="fastxavier",
        description=(
            "Initialize every parameter of a GPT-2 shaped model in memory: Xavier "
            "values in the 2-D weights, zeros in the biases and ones in the "
            "layer-norm weights. Report the time against ndarray.fill on the same "
            "buffers and the std of each weight against the expected std. "
            "'fastxavier bench ...' runs the benchmarks instead, and "
            "'fastxavier init ...' writes a weight file."
        ),
    )
    sizes = ", ".join(
        f"{name} (width {shape.width}, {shape.layers} layers)"
        for name, shape in MODELS.items()
    )
    parser.add_argument(
        "--model",
        choices=list(MODELS),
        default="gpt2",
        help=f"model shape to initialize: {sizes}. All have a vocabulary of "
        f"{VOCAB_SIZE} and a context of {CONTEXT_LENGTH} (default: %(default)s)",
    )
    parser.add_argument(
        "--dist",
        choices=list(DISTRIBUTIONS),
        default="uniform",
        help="distribution of the weights: Xavier uniform U(-a, a) with "
        "a = sqrt(6 / (fan_in + fan_out)), or Xavier normal with "
        "std = sqrt(2 / (fan_in + fan_out)) (default: %(default)s)",
    )
    parser.add_argument(
        "--seed",
        type=_parse_seed,
        default=0,
        help="Philox seed of the weights, an integer in [0, 2**64). Tensor i of the "
        "model uses stream i of this seed (default: %(default)s)",
    )
    parser.add_argument(
        "--threads",
        type=_parse_threads,
        default=None,
        help="number of threads of each fastxavier fill, an integer >= 1 (default: "
        "fastxavier.get_num_threads(), which reads FASTXAVIER_NUM_THREADS or counts "
        "the CPUs this process may run on)",
    )
    parser.add_argument(
        "--dtype",
        choices=["float32", "float64"],
        default="float32",
        help="element type of every tensor (default: %(default)s)",
    )
    return parser


def _parse_threads(text: str) -> int:
    value = _parse_integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"invalid value {value}; expected an integer >= 1"
        )
    return value


def _parse_seed(text: str) -> int:
    value = _parse_integer(text)
    if not 0 <= value < 1 << 64:
        raise argparse.ArgumentTypeError(
            f"invalid value {value}; expected an integer in [0, 2**64)"
        )
    return value


def _parse_integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid value {text!r}; expected an integer"
        ) from None


def allocate(specs: Sequence[TensorSpec], dtype: str) -> list[np.ndarray]:
    """Allocate a C-contiguous array per spec and write it once.

    The write takes the page faults, so that later timings measure only the fills.
    """
    arrays = []
    for spec in specs:
        array = np.empty(spec.shape, dtype=dtype)
        array.fill(0)
        arrays.append(array)
    return arrays


def fill_baseline(specs: Sequence[TensorSpec], arrays: Sequence[np.ndarray]) -> None:
    """Write BASELINE_VALUE into every weight, and the init constants elsewhere."""
    for spec, array in zip(specs, arrays):
        if spec.init == XAVIER:
            array.fill(BASELINE_VALUE)
        else:
            array.fill(CONSTANTS[spec.init])


def fill_init(
    specs: Sequence[TensorSpec],
    arrays: Sequence[np.ndarray],
    distribution: str,
    seed: int,
    threads: int,
) -> None:
    """Write the model's initial values; tensor i draws from stream i of `seed`."""
    fill = DISTRIBUTIONS[distribution]
    for stream, (spec, array) in enumerate(zip(specs, arrays)):
        if spec.init == XAVIER:
            fill(array, seed=seed, stream=stream, threads=threads)
        else:
            array.fill(CONSTANTS[spec.init])


def time_seconds(function: Callable[[], None]) -> float:
    """Return the wall time of one call of `function`, in seconds."""
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def expected_std(shape: tuple[int, ...], distribution: str) -> float:
    """Return the std of the Xavier distribution for a weight of `shape`, gain 1."""
    fan_in, fan_out = fastxavier.compute_fans(shape)
    if distribution == "uniform":
        return xavier_bound(1.0, fan_in, fan_out) / math.sqrt(3.0)
    return xavier_std(1.0, fan_in, fan_out)


def empirical_std(array: np.ndarray, chunk: np.ndarray) -> float:
    """Return the population std of a C-contiguous `array`, accumulated in float64.

    `chunk` is a float64 work buffer. The array passes through it piece by piece, so
    no float64 copy of the whole array is made.
    """
    flat = array.reshape(-1)
    total = 0.0
    total_squares = 0.0
    for begin in range(0, flat.size, chunk.size):
        part = chunk[: min(chunk.size, flat.size - begin)]
        np.copyto(part, flat[begin : begin + part.size])
        total += float(part.sum())
        total_squares += float(np.dot(part, part))
    mean = total / flat.size
    return math.sqrt(max(0.0, total_squares / flat.size - mean * mean))


def check_std(
    specs: Sequence[TensorSpec], arrays: Sequence[np.ndarray], distribution: str
) -> StdCheck:
    """Return the check of the Xavier weight whose std deviates most."""
    chunk = np.empty(STD_CHUNK_ELEMENTS, dtype=np.float64)
    worst = StdCheck("", -1.0, 0.0)
    for spec, array in zip(specs, arrays):
        if spec.init != XAVIER:
            continue
        expected = expected_std(spec.shape, distribution)
        deviation = abs(empirical_std(array, chunk) - expected) / expected
        if deviation > worst.deviation:
            error = math.sqrt((KURTOSIS[distribution] - 1) / (4 * spec.size))
            worst = StdCheck(spec.name, deviation, error)
    return worst


def run_job(
    specs: list[TensorSpec], options: argparse.Namespace, threads: int
) -> JobResult:
    """Allocate, time and check the tensors `specs` of the model `options.model`."""
    arrays = allocate(specs, options.dtype)
    fill_seconds = time_seconds(lambda: fill_baseline(specs, arrays))
    init_seconds = time_seconds(
        lambda: fill_init(specs, arrays, options.dist, options.seed, threads)
    )
    return JobResult(
        model=options.model,
        dtype=options.dtype,
        distribution=options.dist,
        threads=threads,
        isa=fastxavier.isa(),
        specs=specs,
        nbytes=sum(array.nbytes for array in arrays),
        fill_seconds=fill_seconds,
        init_seconds=init_seconds,
        std=check_std(specs, arrays, options.dist),
    )


def format_report(result: JobResult) -> str:
    """Return the table of a run and the lines that explain it."""
    parameters = count_parameters(result.specs)
    weights = sum(spec.init == XAVIER for spec in result.specs)
    init_rate = result.nbytes / result.init_seconds
    fill_rate = result.nbytes / result.fill_seconds
    std = result.std
    rows = [
        ("model", result.model),
        ("dtype", result.dtype),
        ("distribution", result.distribution),
        ("threads", str(result.threads)),
        ("ISA", result.isa),
        (
            "tensors",
            f"{len(result.specs)} ({weights} weights, "
            f"{len(result.specs) - weights} biases and layer norms)",
        ),
        ("parameters", f"{parameters:,} ({_gigabytes(result.nbytes)})"),
        ("init wall time", f"{result.init_seconds:.4f} s"),
        (
            "throughput",
            f"{init_rate / 1e9:.2f} GB/s, "
            f"{_scientific(parameters / result.init_seconds)} parameters/s",
        ),
        (
            "ndarray.fill",
            f"{result.fill_seconds:.4f} s, {fill_rate / 1e9:.2f} GB/s",
        ),
        ("ratio to fill", f"{init_rate / fill_rate:.2f}"),
        (
            "max std deviation",
            f"{_percent(std.deviation)} in {std.name} "
            f"(sampling standard error {_percent(std.standard_error)})",
        ),
    ]
    width = max(len(label) for label, _ in rows)
    lines = [f"  {label:<{width}}  {value}" for label, value in rows]
    lines += [
        "Each timing is one pass over all tensors, biases and layer norms included.",
        "ratio to fill: fastxavier throughput / ndarray.fill(0.5) throughput, same "
        "buffers.",
        f"Above 1, fastxavier ({_threads_text(result.threads)}) draws Xavier values "
        "faster than NumPy (1 thread) writes 0.5.",
        "max std deviation: the largest relative difference between a weight's "
        "sample std and its expected std.",
    ]
    return "\n".join(lines)


def _threads_text(threads: int) -> str:
    return "1 thread" if threads == 1 else f"{threads} threads"


def _gigabytes(nbytes: int) -> str:
    return f"{nbytes / 1e9:.2f} GB"


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.3f} %"


def _scientific(value: float) -> str:
    mantissa, exponent = f"{value:.2e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def main(argv: Sequence[str]) -> int:
    """Run the main job with the options in `argv` and return the exit status.

    Parameters
    ----------
    argv : sequence of str
        Options after the program name.

    Returns
    -------
    int
        0 on success. 2 for invalid options, an invalid FASTXAVIER_NUM_THREADS, or a
        model that does not fit in the available memory; the message goes to stderr.
    """
    try:
        options = build_parser().parse_args(argv)
    except SystemExit as stop:
        # argparse exits after --help (status 0) and after invalid options (status 2).
        return 0 if stop.code is None else int(stop.code)
    threads = _resolve_threads(options.threads)
    if threads is None:
        return 2

    specs = gpt2_tensors(options.model)
    needed = count_parameters(specs) * np.dtype(options.dtype).itemsize
    if not _memory_fits(options, needed):
        return 2
    print(
        f"fastxavier: initializing {options.model} ({_gigabytes(needed)} of "
        f"{options.dtype}) in memory",
        flush=True,
    )
    print(format_report(run_job(specs, options, threads)))
    return 0


def _resolve_threads(requested: int | None) -> int | None:
    # get_num_threads raises ValueError for an invalid FASTXAVIER_NUM_THREADS.
    if requested is not None:
        return requested
    try:
        return fastxavier.get_num_threads()
    except ValueError as error:
        print(f"fastxavier: error: {error}", file=sys.stderr)
        return None


def _memory_fits(options: argparse.Namespace, needed: int) -> bool:
    # Looked up at call time, so tests can replace available_memory_bytes.
    available = available_memory_bytes()
    if available is None:
        print(
            f"fastxavier: warning: the available memory is unknown (no MemAvailable "
            f"in {MEMINFO_PATH}, no os.sysconf('SC_AVPHYS_PAGES')); continuing "
            "without a memory check",
            file=sys.stderr,
        )
        return True
    message = memory_error(options.model, options.dtype, needed, available)
    if message is not None:
        print(message, file=sys.stderr)
        return False
    return True
