"""Compare fastxavier's fill speed with peers, in one process, on the same buffers.

``fastxavier bench`` runs every competitor whose package is installed on one
preallocated buffer per size. The competitors take turns within each repetition, in
a shuffled order, so machine noise hits all of them alike. The table gives each
competitor's median time, its throughput and its ratio to ``ndarray.fill`` of the
same buffer in the same run. The ratio is the number to compare across machines,
because absolute times on a shared machine drift from one run to the next.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import math
import os
import platform
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

import fastxavier

__all__ = ["main"]

DEFAULT_SIZES = "4MiB,64MiB,1GiB"
QUICK_SIZES = "64KiB,1MiB"
DEFAULT_REPEAT = 5
BASELINE = "fill"
SEED = 20100301

# Keys are lower-case unit suffixes. KB, MB and GB are decimal, KiB, MiB and GiB binary.
_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
}
_SIZE_PATTERN = re.compile(r"^\s*(\d+)\s*([a-zA-Z]*)\s*$")

Runner = Callable[[], None]


@dataclass(frozen=True)
class Competitor:
    """One way of writing a buffer, timed against the others.

    ``make(module, view, threads)`` receives the imported ``library`` module and the
    2-D view of the buffer and returns the zero-argument call to time. It may run the
    call once to compile or warm it up.
    """

    name: str
    library: str
    label: str
    make: Callable[[Any, np.ndarray, int], Runner]

    def title(self, threads: int) -> str:
        """Return the table label, with ``{threads}`` replaced by the thread count."""
        return self.label.format(threads=threads)


# ---------------------------------------------------------------------------------
# Competitors. Each make_* gets a 2-D C-contiguous view, so the PyTorch and
# fastxavier rules for fans give the same (fan_in, fan_out).


class UnsupportedCase(Exception):
    """Error that a make_* function raises when its competitor cannot run this
    dtype."""


def xavier_bound(view: np.ndarray) -> float:
    fan_in, fan_out = fastxavier.compute_fans(view.shape)
    return math.sqrt(6.0 / (fan_in + fan_out))


def xavier_std(view: np.ndarray) -> float:
    fan_in, fan_out = fastxavier.compute_fans(view.shape)
    return math.sqrt(2.0 / (fan_in + fan_out))


def make_fill(module: Any, view: np.ndarray, threads: int) -> Runner:
    return lambda: view.fill(0.5)


def make_memset(ctypes_module: Any, view: np.ndarray, threads: int) -> Runner:
    address = view.ctypes.data
    nbytes = view.nbytes
    return lambda: ctypes_module.memset(address, 0, nbytes)


def make_fastxavier(distribution: str, single_thread: bool):
    def make(module: Any, view: np.ndarray, threads: int) -> Runner:
        fill = getattr(module, distribution)
        count = 1 if single_thread else threads
        return lambda: fill(view, seed=SEED, threads=count)

    return make


def make_numpy_uniform(bit_generator: str):
    # Generator.random writes [0, 1), and two in-place passes map that to [-a, a).
    def make(numpy: Any, view: np.ndarray, threads: int) -> Runner:
        generator = numpy.random.Generator(getattr(numpy.random, bit_generator)(SEED))
        bound = xavier_bound(view)

        def run() -> None:
            generator.random(out=view, dtype=view.dtype)
            np.multiply(view, 2.0 * bound, out=view)
            np.subtract(view, bound, out=view)

        return run

    return make


def make_numpy_normal(numpy: Any, view: np.ndarray, threads: int) -> Runner:
    generator = numpy.random.Generator(numpy.random.PCG64(SEED))
    std = xavier_std(view)

    def run() -> None:
        generator.standard_normal(out=view, dtype=view.dtype)
        np.multiply(view, std, out=view)

    return run


def make_torch(initializer: str):
    def make(torch: Any, view: np.ndarray, threads: int) -> Runner:
        tensor = torch.from_numpy(view)
        if tensor.data_ptr() != view.ctypes.data:
            raise RuntimeError("torch.from_numpy copied the buffer; expected a view")
        init = getattr(torch.nn.init, initializer)
        return lambda: init(tensor)

    return make


# NOTE: the mkl_random and JAX competitors have not been run: neither package was
# installed where this file was written, so only their skip path is tested.
def make_mkl_uniform(mkl_random: Any, view: np.ndarray, threads: int) -> Runner:
    # mkl_random.RandomState has no out= argument, so each call allocates an array
    # that is then copied into the buffer.
    state = mkl_random.RandomState(SEED, brng="PHILOX4X32X10")
    bound = xavier_bound(view)
    return lambda: np.copyto(view, state.uniform(-bound, bound, size=view.shape))


def make_jax_uniform(jax: Any, view: np.ndarray, threads: int) -> Runner:
    # JAX arrays are immutable, so each call allocates its result and then copies it
    # into the buffer.
    if view.dtype == np.float64 and not getattr(jax.config, "jax_enable_x64", False):
        raise UnsupportedCase("float64 needs JAX_ENABLE_X64=1")
    bound = xavier_bound(view)
    key = jax.random.PRNGKey(SEED)
    shape, dtype = view.shape, view.dtype
    generate = jax.jit(lambda k: jax.random.uniform(k, shape, dtype, -bound, bound))

    def run() -> None:
        np.copyto(view, np.asarray(generate(key)))

    run()  # compiles for this shape outside the timed calls
    return run


COMPETITORS = (
    Competitor(BASELINE, "numpy", "ndarray.fill(0.5)", make_fill),
    Competitor("memset", "ctypes", "libc memset (1 thread)", make_memset),
    Competitor(
        "fastxavier-uniform",
        "fastxavier",
        "fastxavier.uniform_ ({threads} threads)",
        make_fastxavier("uniform_", single_thread=False),
    ),
    Competitor(
        "fastxavier-uniform-1t",
        "fastxavier",
        "fastxavier.uniform_ (1 thread)",
        make_fastxavier("uniform_", single_thread=True),
    ),
    Competitor(
        "fastxavier-normal",
        "fastxavier",
        "fastxavier.normal_ ({threads} threads)",
        make_fastxavier("normal_", single_thread=False),
    ),
    Competitor(
        "fastxavier-normal-1t",
        "fastxavier",
        "fastxavier.normal_ (1 thread)",
        make_fastxavier("normal_", single_thread=True),
    ),
    Competitor(
        "numpy-pcg64-uniform",
        "numpy",
        "numpy PCG64 random + scale",
        make_numpy_uniform("PCG64"),
    ),
    Competitor(
        "numpy-philox-uniform",
        "numpy",
        "numpy Philox random + scale",
        make_numpy_uniform("Philox"),
    ),
    Competitor(
        "numpy-pcg64-normal",
        "numpy",
        "numpy PCG64 standard_normal + scale",
        make_numpy_normal,
    ),
    Competitor(
        "torch-xavier-uniform",
        "torch",
        "torch xavier_uniform_ ({threads} threads)",
        make_torch("xavier_uniform_"),
    ),
    Competitor(
        "torch-xavier-normal",
        "torch",
        "torch xavier_normal_ ({threads} threads)",
        make_torch("xavier_normal_"),
    ),
    Competitor(
        "mkl-philox-uniform",
        "mkl_random",
        "mkl_random Philox uniform + copy",
        make_mkl_uniform,
    ),
    Competitor("jax-uniform", "jax", "jax.random.uniform + copy", make_jax_uniform),
)


# ---------------------------------------------------------------------------------
# Command line.


def parse_size(text: str) -> int:
    """Return the byte count of a size such as ``4096``, ``64KiB`` or ``1GB``."""
    match = _SIZE_PATTERN.match(text)
    unit = match.group(2).lower() if match else None
    if match is None or unit not in _SIZE_UNITS:
        raise ValueError(
            f"invalid size {text!r}: expected an integer with an optional unit "
            f"B, KB, MB, GB, KiB, MiB or GiB, such as 64MiB"
        )
    return int(match.group(1)) * _SIZE_UNITS[unit]


def format_size(nbytes: int) -> str:
    """Return a byte count in the largest binary unit that divides it."""
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= factor and nbytes % factor == 0:
            return f"{nbytes // factor} {unit}"
    return f"{nbytes} B"


def build_parser() -> argparse.ArgumentParser:
    names = ", ".join(c.name for c in COMPETITORS)
    parser = argparse.ArgumentParser(
        prog="fastxavier bench",
        description=(
            "Time fastxavier and the installed peers on the same buffers, taking "
            "turns in each repetition, and print medians, GB/s and the ratio to "
            "ndarray.fill of the same buffer."
        ),
    )
    parser.add_argument(
        "--sizes",
        help=f"comma-separated buffer sizes in bytes, each with an optional unit "
        f"B, KB, MB, GB, KiB, MiB or GiB (default {DEFAULT_SIZES}, "
        f"or {QUICK_SIZES} with --quick)",
    )
    parser.add_argument(
        "--dtype",
        choices=("float32", "float64"),
        default="float32",
        help="element type of the buffers (default float32)",
    )
    parser.add_argument(
        "--repeat",
        metavar="N",
        type=int,
        help=f"number of timed calls of each competitor per size, whose median the "
        f"table shows (default {DEFAULT_REPEAT}, or 1 with --quick)",
    )
    parser.add_argument(
        "--threads",
        metavar="N",
        type=int,
        help="threads of the multithreaded fastxavier rows and of PyTorch "
        "(default fastxavier.get_num_threads())",
    )
    parser.add_argument(
        "--only",
        metavar="NAMES",
        help=f"comma-separated competitor or library names to run (default all). "
        f"ndarray.fill ({BASELINE}) always runs as the baseline. Competitors: {names}",
    )
    parser.add_argument(
        "--json",
        metavar="FILE",
        help="write the raw times and the medians to FILE as JSON",
    )
    parser.add_argument(
        "--plot",
        metavar="FILE",
        help="save a PNG plot of GB/s against size per competitor to FILE "
        "(needs matplotlib)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke-test mode: sizes {QUICK_SIZES} and 1 repetition, unless "
        f"--sizes or --repeat is given",
    )
    return parser


@dataclass(frozen=True)
class Settings:
    sizes: list[int]
    dtype: np.dtype
    repeat: int
    threads: int
    competitors: list[Competitor]
    json_path: str | None
    plot_path: str | None


def select_competitors(only: str | None) -> list[Competitor]:
    """Return the competitors named by ``--only``, baseline first.

    Raises
    ------
    ValueError
        If a name matches neither a competitor nor a library.
    """
    if only is None:
        return list(COMPETITORS)
    requested = {name.strip() for name in only.split(",") if name.strip()}
    known = {c.name for c in COMPETITORS} | {c.library for c in COMPETITORS}
    unknown = sorted(requested - known)
    if unknown:
        raise ValueError(
            f"unknown --only name(s) {', '.join(unknown)}: expected competitor or "
            f"library names from {', '.join(sorted(known))}"
        )
    return [
        c
        for c in COMPETITORS
        if c.name == BASELINE or c.name in requested or c.library in requested
    ]


def resolve_sizes(text: str | None, quick: bool, dtype: np.dtype) -> list[int]:
    """Return the byte counts of ``--sizes``, or the default sizes.

    Raises
    ------
    ValueError
        If a size is invalid or not a positive multiple of the item size.
    """
    text = text or (QUICK_SIZES if quick else DEFAULT_SIZES)
    sizes = [parse_size(part) for part in text.split(",") if part.strip()]
    if not sizes:
        raise ValueError(
            f"invalid --sizes {text!r}: expected at least one size, such as 4MiB"
        )
    for nbytes in sizes:
        if nbytes < dtype.itemsize or nbytes % dtype.itemsize:
            raise ValueError(
                f"invalid size {nbytes} B: expected a positive multiple of the "
                f"{dtype.name} item size, {dtype.itemsize} B"
            )
    return sizes


def resolve_settings(args: argparse.Namespace) -> Settings:
    """Return the checked settings of the parsed options, with defaults filled in.

    Raises
    ------
    ValueError
        If an option is invalid, or --plot is given and matplotlib fails to import.
    """
    dtype = np.dtype(args.dtype)
    sizes = resolve_sizes(args.sizes, args.quick, dtype)

    repeat = args.repeat
    if repeat is None:
        repeat = 1 if args.quick else DEFAULT_REPEAT
    if repeat < 1:
        raise ValueError(f"invalid --repeat {repeat}: expected an integer >= 1")

    threads = args.threads
    if threads is None:
        threads = fastxavier.get_num_threads()
    if threads < 1:
        raise ValueError(f"invalid --threads {threads}: expected an integer >= 1")

    if args.plot is not None:
        require_matplotlib()
    return Settings(
        sizes=sizes,
        dtype=dtype,
        repeat=repeat,
        threads=threads,
        competitors=select_competitors(args.only),
        json_path=args.json,
        plot_path=args.plot,
    )


def require_matplotlib() -> None:
    try:
        importlib.import_module("matplotlib")
    except ImportError as error:
        raise ValueError(
            f"--plot needs matplotlib, which failed to import ({error}). Install it "
            f"with 'pip install matplotlib' or drop --plot."
        ) from None


# ---------------------------------------------------------------------------------
# Measurement.


def import_libraries(
    competitors: list[Competitor],
) -> tuple[dict[str, Any], list[str]]:
    """Import each library that the competitors need and return the modules, with
    one note per missing library."""
    modules: dict[str, Any] = {}
    notes: list[str] = []
    for library in dict.fromkeys(c.library for c in competitors):
        try:
            modules[library] = importlib.import_module(library)
        except ImportError as error:
            notes.append(f"skipped {library}: not installed ({error})")
    return modules, notes


def buffer_view(nbytes: int, dtype: np.dtype) -> np.ndarray:
    """Allocate and pre-fault a buffer of `nbytes`, returned as a 2-D view.

    The last dimension is the largest power of two up to 1024 that divides the element
    count, so the fans come from a plausible weight shape.
    """
    elements = nbytes // dtype.itemsize
    columns = math.gcd(elements, 1024)
    buffer = np.empty((elements // columns, columns), dtype=dtype)
    buffer.fill(0)  # maps every page before any timed call
    return buffer


def prepare_runners(
    competitors: list[Competitor],
    modules: dict[str, Any],
    view: np.ndarray,
    threads: int,
    notes: list[str],
) -> list[tuple[Competitor, Runner]]:
    runners = []
    for competitor in competitors:
        if competitor.library not in modules:
            continue
        module = modules[competitor.library]
        try:
            runner = competitor.make(module, view, threads)
        except UnsupportedCase as reason:
            note = f"skipped {competitor.name}: {reason}"
            if note not in notes:
                notes.append(note)
            continue
        runners.append((competitor, runner))
    return runners


def time_round_robin(
    runners: list[tuple[Competitor, Runner]], repeat: int
) -> dict[str, list[float]]:
    """Time each runner `repeat` times in turns and return the seconds per call by
    name.

    Every repetition calls each runner once, in a new order drawn from a fixed seed.
    So no runner always runs first or always follows the same neighbor, whose
    leftovers (a dirty cache, worker threads still spinning) it would otherwise pay
    for in every repetition.
    """
    times: dict[str, list[float]] = {c.name: [] for c, _ in runners}
    for _, runner in runners:
        runner()  # untimed: runs lazy initialization and starts thread pools
    shuffler = random.Random(SEED)
    order = list(runners)
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            shuffler.shuffle(order)
            for competitor, runner in order:
                start = time.perf_counter()
                runner()
                times[competitor.name].append(time.perf_counter() - start)
    finally:
        if gc_was_enabled:
            gc.enable()
    return times


def summarize(
    competitors: list[Competitor],
    times: dict[str, list[float]],
    nbytes: int,
    dtype: np.dtype,
    threads: int,
) -> list[dict[str, Any]]:
    """Return one result record per timed competitor, with median, GB/s and ratio to
    the baseline of the same size."""
    baseline_median = statistics.median(times[BASELINE])
    records = []
    for competitor in competitors:
        if competitor.name not in times:
            continue
        median = statistics.median(times[competitor.name])
        records.append(
            {
                "name": competitor.name,
                "library": competitor.library,
                "label": competitor.title(threads),
                "size_bytes": nbytes,
                "elements": nbytes // dtype.itemsize,
                "times_s": times[competitor.name],
                "median_s": median,
                "gb_per_s": nbytes / median / 1e9,
                "ratio_to_fill": baseline_median / median,
            }
        )
    return records


def measure_size(
    settings: Settings, modules: dict[str, Any], nbytes: int, notes: list[str]
) -> list[dict[str, Any]]:
    view = buffer_view(nbytes, settings.dtype)
    runners = prepare_runners(
        settings.competitors, modules, view, settings.threads, notes
    )
    times = time_round_robin(runners, settings.repeat)
    return summarize(
        settings.competitors, times, nbytes, settings.dtype, settings.threads
    )


# ---------------------------------------------------------------------------------
# Output.


def cpu_model() -> str:
    """Return the CPU model name from /proc/cpuinfo, else platform.processor()."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def load_average() -> float | None:
    """Return the 1-minute load average, or None where the OS has none (Windows)."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def format_load(load: float | None) -> str:
    return "n/a" if load is None else f"{load:.2f}"


def describe_environment(settings: Settings, modules: dict[str, Any]) -> dict[str, Any]:
    versions = {
        name: getattr(module, "__version__", "unknown")
        for name, module in modules.items()
        if name != "ctypes"
    }
    return {
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "isa": fastxavier.isa(),
        "versions": versions,
        "dtype": settings.dtype.name,
        "repeat": settings.repeat,
        "threads": settings.threads,
        "sizes_bytes": settings.sizes,
        # Other processes competing for the CPUs make every row slower and noisier.
        "load_average_1min_at_start": load_average(),
    }


def print_header(environment: dict[str, Any], notes: list[str]) -> None:
    versions = ", ".join(f"{k} {v}" for k, v in environment["versions"].items())
    print(
        f"{environment['dtype']}: median of {environment['repeat']} repetition(s), "
        f"competitors taking turns on one buffer per size"
    )
    print(
        "GB/s: 10^9 bytes written per second. x fill: GB/s divided by the GB/s of "
        "ndarray.fill in the same run"
    )
    load = format_load(environment["load_average_1min_at_start"])
    print(
        f"CPU: {environment['cpu']} ({environment['cpus']} CPUs, load average "
        f"{load}); fastxavier ISA "
        f"{environment['isa']}; Python {environment['python']}; {versions}"
    )
    for note in notes:
        print(note)
    print()


def table_header(label_width: int) -> str:
    header = (
        f"{'size':>9}  {'competitor':<{label_width}}  {'median ms':>10}  "
        f"{'GB/s':>7}  {'x fill':>6}"
    )
    return f"{header}\n{'-' * len(header)}"


def table_rows(records: list[dict[str, Any]], label_width: int) -> str:
    """Return one table line per record."""
    return "\n".join(
        f"{format_size(r['size_bytes']):>9}  {r['label']:<{label_width}}  "
        f"{r['median_s'] * 1e3:>10.3f}  {r['gb_per_s']:>7.2f}  "
        f"{r['ratio_to_fill']:>6.2f}"
        for r in records
    )


def write_json(
    path: str,
    environment: dict[str, Any],
    notes: list[str],
    records: list[dict[str, Any]],
) -> None:
    document = {"environment": environment, "skipped": notes, "results": records}
    with open(path, "w", encoding="utf-8") as output:
        json.dump(document, output, indent=2)
        output.write("\n")


def write_plot(
    path: str, environment: dict[str, Any], records: list[dict[str, Any]]
) -> None:
    """Save a PNG of GB/s against buffer size, one line per competitor, both axes
    logarithmic."""
    from matplotlib import colormaps  # lazy: an optional dependency
    from matplotlib.figure import Figure

    labels = list(dict.fromkeys(r["label"] for r in records))
    colors = colormaps["tab20"].colors
    figure = Figure(figsize=(11, 5.5), layout="constrained")
    axes = figure.add_subplot()
    for index, label in enumerate(labels):
        rows = [r for r in records if r["label"] == label]
        reference = rows[0]["name"] in (BASELINE, "memset")
        axes.plot(
            [r["size_bytes"] for r in rows],
            [r["gb_per_s"] for r in rows],
            marker="o",
            color="black" if rows[0]["name"] == BASELINE else colors[index % 20],
            linestyle="--" if reference else "-",
            label=label,
        )
    sizes = sorted({r["size_bytes"] for r in records})
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xticks(sizes, [format_size(size) for size in sizes])
    axes.minorticks_off()
    axes.set_xlabel("buffer size")
    axes.set_ylabel("GB/s, median (10^9 bytes written per second)")
    axes.set_title(
        f"{environment['dtype']} fills, {environment['cpu']}, {environment['cpus']} "
        f"CPUs, median of {environment['repeat']}"
    )
    axes.grid(True, alpha=0.3)
    axes.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    figure.savefig(path, dpi=120)


# ---------------------------------------------------------------------------------


def measure_all(
    settings: Settings,
    modules: dict[str, Any],
    label_width: int,
    notes: list[str],
) -> list[dict[str, Any]]:
    """Measure every size, printing its rows as soon as they are known, and return
    all the records."""
    torch = modules.get("torch")
    torch_threads = torch.get_num_threads() if torch is not None else None
    if torch is not None:
        torch.set_num_threads(settings.threads)
    records: list[dict[str, Any]] = []
    try:
        for index, nbytes in enumerate(settings.sizes):
            size_records = measure_size(settings, modules, nbytes, notes)
            if index > 0:
                print()
            print(table_rows(size_records, label_width), flush=True)
            records += size_records
    finally:
        if torch is not None:
            torch.set_num_threads(torch_threads)
    return records


def run(settings: Settings) -> int:
    modules, import_notes = import_libraries(settings.competitors)
    environment = describe_environment(settings, modules)
    print_header(environment, import_notes)
    label_width = max(
        len(c.title(settings.threads))
        for c in settings.competitors
        if c.library in modules
    )
    print(table_header(label_width), flush=True)

    case_notes: list[str] = []
    records = measure_all(settings, modules, label_width, case_notes)
    for note in case_notes:
        print(note)
    environment["load_average_1min_at_end"] = load_average()
    end_load = format_load(environment["load_average_1min_at_end"])
    print(f"\nload average at the end: {end_load}")

    if settings.json_path is not None:
        write_json(settings.json_path, environment, import_notes + case_notes, records)
        print(f"wrote {settings.json_path}")
    if settings.plot_path is not None:
        write_plot(settings.plot_path, environment, records)
        print(f"wrote {settings.plot_path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark with command-line arguments `argv` (default sys.argv[1:]).

    Returns 0 on success and 1 if a buffer cannot be allocated. Invalid options exit
    through argparse with status 2 and a message on stderr.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = resolve_settings(args)
    except ValueError as error:
        parser.error(str(error))
    try:
        return run(settings)
    except MemoryError:
        sizes = ", ".join(format_size(nbytes) for nbytes in settings.sizes)
        print(
            f"fastxavier bench: error: out of memory while allocating a buffer of "
            f"the sizes {sizes}. Choose smaller --sizes.",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
