"""The ``fastxavier init`` command: write initial weights straight into a .npy file.

The file is a memory map (``numpy.lib.format.open_memmap``), filled in row blocks of
at most BLOCK_BYTES by shard fills, so the array may be larger than the memory. Each
block gets the values that the in-memory fill of the whole shape writes there.
The blocks go to a temporary file in the directory of --out, which replaces --out
only after the last block: an interrupted or failed run leaves no partial file under
that name.
"""

from __future__ import annotations

import argparse
import errno
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.format import open_memmap

import fastxavier

__all__ = ["main"]

PROG = "fastxavier init"

# Bytes per block. One block takes well under a second even when the kernel throttles
# the writer to disk speed (32 MiB at 100 MB/s is 0.3 s), and Ctrl-C takes effect
# between blocks, so the command stops within about that time.
BLOCK_BYTES = 32 << 20

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a run stopped by Ctrl-C

DTYPE_NAMES = ("float16", "bfloat16", "float32", "float64")
FILLS = {
    "uniform": fastxavier.uniform_,
    "normal": fastxavier.normal_,
    "trunc_normal": fastxavier.trunc_normal_,
}
XAVIER_OPTIONS = ("fan_in", "fan_out", "gain")
TRUNCATION_OPTIONS = ("mean", "std", "a", "b")
TRUNCATION_DEFAULTS = {"mean": 0.0, "std": 1.0, "a": -2.0, "b": 2.0}

BFLOAT16_NOTE = (
    "note: .npy has no bfloat16 type, so {out} stores its elements as the raw 2-byte "
    "type '<V2'; read it with numpy.load(path).view(ml_dtypes.bfloat16)"
)


@dataclass(frozen=True)
class InitJob:
    """Checked request of one run: the file, the array and how to fill one block."""

    out: str
    shape: tuple[int, ...]
    dtype: np.dtype
    fill: Callable[..., Any]
    args: tuple
    kwargs: dict

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize

    def fill_block(self, block: np.ndarray, index: tuple) -> None:
        """Fill `block`, the part of the full array at `index`, with its values."""
        self.fill(
            block, *self.args, global_shape=self.shape, index=index, **self.kwargs
        )


# ---- options -------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the init command's options."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        allow_abbrev=False,
        description=(
            "Write an array of initial weights into a new .npy file, block by block "
            "through a memory map, so the array may be larger than the memory. The "
            "values equal those of the in-memory fill of the whole array."
        ),
    )
    array = parser.add_argument_group("array")
    array.add_argument(
        "--shape",
        required=True,
        type=parse_shape,
        help="extents joined by 'x', such as 4096x1024 or 64x3x7x7; "
        "fans come from it as in PyTorch: (fan_out, fan_in, *kernel)",
    )
    array.add_argument(
        "--dtype",
        choices=DTYPE_NAMES,
        default="float32",
        help="element type; bfloat16 needs ml_dtypes (default: %(default)s)",
    )
    array.add_argument(
        "--dist",
        choices=list(FILLS),
        default="uniform",
        help="Xavier uniform, Xavier normal, or a normal truncated to "
        "[a, b] (default: %(default)s)",
    )
    array.add_argument(
        "--out",
        required=True,
        help="path of the .npy file to create; it must end in .npy",
    )
    array.add_argument(
        "--force",
        action="store_true",
        help="replace --out if it exists (only once the new file is complete)",
    )

    xavier = parser.add_argument_group("Xavier (--dist uniform or normal)")
    xavier.add_argument(
        "--fan-in",
        type=positive_integer,
        default=None,
        help="fan_in, an integer >= 1 (default: from --shape)",
    )
    xavier.add_argument(
        "--fan-out",
        type=positive_integer,
        default=None,
        help="fan_out, an integer >= 1 (default: from --shape)",
    )
    xavier.add_argument(
        "--gain",
        type=float,
        default=None,
        help="gain, a finite number >= 0 (default: 1.0)",
    )

    truncated = parser.add_argument_group("truncated normal (--dist trunc_normal)")
    truncated.add_argument(
        "--mean", type=float, default=None, help="mean (default: 0.0)"
    )
    truncated.add_argument(
        "--std", type=float, default=None, help="standard deviation, > 0 (default: 1.0)"
    )
    truncated.add_argument(
        "--a",
        type=float,
        default=None,
        help="lower bound in the units of the values, not of std; "
        "write values such as -inf or -1e-3 as --a=-inf "
        "(default: -2.0)",
    )
    truncated.add_argument(
        "--b",
        type=float,
        default=None,
        help="upper bound, greater than --a (default: 2.0)",
    )

    stream = parser.add_argument_group("random stream")
    stream.add_argument(
        "--seed",
        required=True,
        type=uint64,
        help="Philox seed, an integer in [0, 2**64)",
    )
    stream.add_argument(
        "--stream",
        type=parse_stream,
        default=0,
        help="stream of the seed: an integer in [0, 2**64), or a "
        "parameter name hashed as fastxavier.stream_of_name does "
        "(default: %(default)s)",
    )
    stream.add_argument(
        "--threads",
        type=positive_integer,
        default=None,
        help="threads of each block's fill, an integer >= 1 (default: "
        "fastxavier.get_num_threads()); the values do not depend on it",
    )
    return parser


def parse_shape(text: str) -> tuple[int, ...]:
    """Parse extents joined by 'x', each an integer >= 1."""
    parts = text.strip().lower().split("x")
    if not all(part.strip().isdigit() for part in parts):
        raise argparse.ArgumentTypeError(
            f"invalid shape {text!r}; expected integers joined by 'x', such as "
            "4096x1024"
        )
    shape = tuple(int(part) for part in parts)
    if min(shape) < 1:
        raise argparse.ArgumentTypeError(
            f"invalid shape {text!r}; expected every extent >= 1"
        )
    # The array is a NumPy memory map, so NumPy's limit on the number of dimensions
    # applies. Its size in bytes is checked against the free disk space later.
    try:
        np.empty((0,) * len(shape), dtype=np.uint8)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"invalid shape {text!r}: {error}") from None
    size = math.prod(shape)
    if size > 1 << 64:
        raise argparse.ArgumentTypeError(
            f"invalid shape {text!r}; it has {size} elements, more than 2**64, the "
            "length of a stream"
        )
    return shape


def parse_integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid value {text!r}; expected an integer"
        ) from None


def positive_integer(text: str) -> int:
    value = parse_integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"invalid value {value}; expected an integer >= 1"
        )
    return value


def uint64(text: str) -> int:
    value = parse_integer(text)
    if not 0 <= value < 1 << 64:
        raise argparse.ArgumentTypeError(
            f"invalid value {value}; expected an integer in [0, 2**64)"
        )
    return value


def parse_stream(text: str) -> int:
    """Parse a stream number, or hash a parameter name into one."""
    if text.strip().lstrip("-").isdigit():
        return uint64(text)
    return fastxavier.stream_of_name(text)


# ---- checks after parsing ------------------------------------------------------------


def prepare_job(
    options: argparse.Namespace, parser: argparse.ArgumentParser
) -> InitJob:
    """Check the options together and return the job.

    An invalid option calls ``parser.error``, which raises SystemExit(2).
    """
    _check_distribution_options(options, parser)
    _check_out(options.out, options.force, parser)
    dtype = _resolve_dtype(options.dtype, parser)
    args, kwargs = _fill_arguments(options)
    job = InitJob(options.out, options.shape, dtype, FILLS[options.dist], args, kwargs)
    try:
        _validate_fill(job)
    except (TypeError, ValueError) as error:
        parser.error(str(error))
    return job


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def _check_distribution_options(options, parser) -> None:
    if options.dist == "trunc_normal":
        unused, group = XAVIER_OPTIONS, "--dist uniform and normal"
    else:
        unused, group = TRUNCATION_OPTIONS, "--dist trunc_normal"
    misplaced = [_option(name) for name in unused if getattr(options, name) is not None]
    if misplaced:
        parser.error(
            f"{', '.join(misplaced)} applies only to {group}, not to "
            f"--dist {options.dist}"
        )
    fans_missing = options.fan_in is None or options.fan_out is None
    if options.dist != "trunc_normal" and len(options.shape) < 2 and fans_missing:
        parser.error(
            f"--shape {format_shape(options.shape)} has 1 dimension, so --dist "
            f"{options.dist} cannot take fans from it; pass --fan-in and --fan-out"
        )


def _check_out(out: str, force: bool, parser) -> None:
    if not out.endswith(".npy"):
        parser.error(f"--out {out!r} is invalid; expected a path ending in .npy")
    directory = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(directory):
        parser.error(
            f"--out {out!r} is invalid; the directory {directory!r} does not exist"
        )
    if os.path.isdir(out):
        parser.error(f"--out {out!r} is a directory; expected a file path")
    if os.path.lexists(out) and not force:
        parser.error(f"--out {out!r} exists; pass --force to replace it")


def _resolve_dtype(name: str, parser) -> np.dtype:
    if name != "bfloat16":
        return np.dtype(name)
    try:
        import ml_dtypes
    except ImportError:
        parser.error(
            "--dtype bfloat16 needs the ml_dtypes package; install it with "
            "'pip install ml_dtypes'"
        )
    return np.dtype(ml_dtypes.bfloat16)


def _fill_arguments(options) -> tuple[tuple, dict]:
    kwargs: dict[str, Any] = {
        "seed": options.seed,
        "stream": options.stream,
        "threads": options.threads,
    }
    if options.dist == "trunc_normal":
        bounds = tuple(
            TRUNCATION_DEFAULTS[name]
            if getattr(options, name) is None
            else getattr(options, name)
            for name in TRUNCATION_OPTIONS
        )
        return bounds, kwargs
    kwargs["gain"] = 1.0 if options.gain is None else options.gain
    return (options.fan_in, options.fan_out), kwargs


def _validate_fill(job: InitJob) -> None:
    """Raise what the fill raises for these options, by filling one element.

    The element is a shard of the full shape, so the fill runs every check that the
    blocks will run, before any file exists.
    """
    probe = np.empty((1,) * len(job.shape), dtype=job.dtype)
    job.fill_block(probe, (slice(0, 1),) * len(job.shape))


# ---- writing -------------------------------------------------------------------------


def row_blocks(
    shape: Sequence[int], itemsize: int, block_bytes: int
) -> Iterator[tuple[tuple, int]]:
    """Yield (index, nbytes) of consecutive blocks that cover the array in C order.

    The split axis is the first axis whose slab, one step along it, fits in
    `block_bytes`. A block is a run of slabs along that axis, and each axis before it
    gets an integer index. So every block is contiguous in the file and at most
    max(block_bytes, itemsize) bytes long.
    """
    axis = 0
    while (
        axis < len(shape) - 1 and math.prod(shape[axis + 1 :]) * itemsize > block_bytes
    ):
        axis += 1
    slab_bytes = math.prod(shape[axis + 1 :]) * itemsize
    steps = max(1, block_bytes // slab_bytes)
    for prefix in np.ndindex(*shape[:axis]):
        for start in range(0, shape[axis], steps):
            stop = min(start + steps, shape[axis])
            yield prefix + (slice(start, stop),), (stop - start) * slab_bytes


class NoProgress:
    """Progress bar stand-in used when tqdm is not installed."""

    def update(self, amount: int) -> None:
        pass

    def close(self) -> None:
        pass


def open_progress(total: int, description: str):
    """Return a tqdm bar on stderr counting bytes, or NoProgress without tqdm."""
    try:
        from tqdm import tqdm
    except ImportError:
        print(
            f"{PROG}: note: tqdm is not installed, so no progress bar is shown "
            "('pip install tqdm' adds one)",
            file=sys.stderr,
        )
        return NoProgress()
    return tqdm(
        total=total,
        desc=description,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        file=sys.stderr,
    )


def check_free_space(job: InitJob, directory: str) -> None:
    """Raise OSError(ENOSPC) if the directory's file system cannot hold the array."""
    free = shutil.disk_usage(directory).free
    if free < job.nbytes:
        raise OSError(
            errno.ENOSPC,
            f"not enough free space: the array needs {job.nbytes:,} bytes but "
            f"{directory} has {free:,} bytes free",
        )


def write_npy(job: InitJob, block_bytes: int, progress) -> None:
    """Write the array to a temporary file beside job.out, then rename it to job.out.

    On any exception, KeyboardInterrupt included, the temporary file is removed and
    the exception propagates, so job.out stays as it was.
    """
    directory, name = os.path.split(os.path.abspath(job.out))
    check_free_space(job, directory)
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{name}.", suffix=".part", dir=directory
    )
    try:
        # mkstemp creates the file with mode 0600. Give it the mode that open() with
        # the process's umask gives, as numpy.save does.
        os.chmod(temporary, 0o666 & ~_current_umask())
        _fill_file(job, temporary, descriptor, block_bytes, progress)
        os.close(descriptor)
        descriptor = -1
        # NOTE: a Ctrl-C in the instant after this rename still reports that nothing
        # was written, although job.out is then complete.
        os.replace(temporary, job.out)
    except BaseException:
        if descriptor >= 0:
            os.close(descriptor)
        _remove_if_present(temporary)
        raise


def _fill_file(
    job: InitJob, path: str, descriptor: int, block_bytes: int, progress
) -> None:
    array = open_memmap(path, mode="w+", dtype=job.dtype, shape=job.shape)
    offset = array.offset
    try:
        reserve = True
        for index, nbytes in row_blocks(job.shape, job.dtype.itemsize, block_bytes):
            if reserve:
                reserve = _reserve(descriptor, offset, nbytes)
            job.fill_block(array[index], index)
            offset += nbytes
            progress.update(nbytes)
    finally:
        # On success this is the last reference, so the file is unmapped before the
        # rename. After an exception, a view in the traceback keeps it mapped a while.
        del array


def _reserve(descriptor: int, offset: int, length: int) -> bool:
    """Allocate disk blocks for a byte range; return False where that is unsupported.

    On a full disk, a store into a memory-mapped page of a sparse file kills the
    process with SIGBUS. Allocating each block's range first turns that into an
    OSError (ENOSPC) that the command reports.
    """
    if not hasattr(os, "posix_fallocate"):
        return False
    try:
        os.posix_fallocate(descriptor, offset, length)
    except OSError as error:
        if error.errno in (errno.EINVAL, errno.EOPNOTSUPP, errno.ENODEV):
            return False
        raise
    return True


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _remove_if_present(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


# ---- command -------------------------------------------------------------------------


def format_shape(shape: Sequence[int]) -> str:
    return "x".join(str(extent) for extent in shape)


def summary(job: InitJob, seconds: float) -> str:
    """Return the line printed after a successful run."""
    rate = job.nbytes / seconds / 1e9 if seconds > 0 else math.inf
    return (
        f"wrote {job.out}: shape {format_shape(job.shape)}, {job.dtype.name}, "
        f"{job.nbytes:,} bytes in {seconds:.2f} s ({rate:.2f} GB/s)"
    )


def run(job: InitJob) -> float:
    """Write the job's file with a progress bar and return the seconds it took."""
    start = time.perf_counter()
    progress = open_progress(job.nbytes, os.path.basename(job.out))
    try:
        write_npy(job, BLOCK_BYTES, progress)
    finally:
        progress.close()
    return time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``fastxavier init`` and return its exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments after ``init``; None reads ``sys.argv[2:]``.

    Returns
    -------
    int
        0 on success, 1 if writing failed with an OSError (such as a full disk), 2 for
        invalid options or an existing --out without --force, 130 after Ctrl-C. In
        every case but 0, --out is left as it was and the temporary file is gone.
        Other exceptions propagate, after the same cleanup.
    """
    args = list(sys.argv[2:] if argv is None else argv)
    parser = build_parser()
    try:
        options = parser.parse_args(args)
        job = prepare_job(options, parser)
    except SystemExit as exit_request:
        return _exit_status(exit_request)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; nothing written", file=sys.stderr)
        return EXIT_INTERRUPTED

    try:
        seconds = run(job)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; nothing written to {job.out}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as error:
        reason = error.strerror or str(error)
        print(
            f"{PROG}: error: writing {job.out} failed: {reason}; nothing written to "
            f"{job.out}",
            file=sys.stderr,
        )
        return EXIT_FAILED

    print(summary(job, seconds))
    if job.dtype.name == "bfloat16":
        print(f"{PROG}: " + BFLOAT16_NOTE.format(out=job.out), file=sys.stderr)
    return 0


def _exit_status(exit_request: SystemExit) -> int:
    code = exit_request.code
    if code is None:
        return 0
    return code if isinstance(code, int) else EXIT_USAGE
