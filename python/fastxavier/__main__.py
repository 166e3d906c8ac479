"""Command line of fastxavier: ``python -m fastxavier`` or the ``fastxavier`` script.

Without a subcommand it runs the main job of :mod:`fastxavier._mainjob`. The
subcommand ``bench`` runs :func:`fastxavier._bench.main` and ``init`` runs
:func:`fastxavier._init_command.main` on the remaining arguments.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from fastxavier import _mainjob


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments after the program name; None reads ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, 2 for invalid options, an invalid FASTXAVIER_NUM_THREADS or too
        little memory, or the exit status of the subcommand.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "bench":
        return _run_bench(args[1:])
    if args and args[0] == "init":
        return _run_init(args[1:])
    return _mainjob.main(args)


def _run_bench(args: list[str]) -> int:
    # Imported only on request, so the main job does not load the benchmark code.
    try:
        bench = importlib.import_module("fastxavier._bench")
    except ModuleNotFoundError as error:
        if error.name != "fastxavier._bench":
            raise
        print(
            "fastxavier: error: the bench subcommand is missing from this installation "
            "(no module fastxavier._bench)",
            file=sys.stderr,
        )
        return 2
    return bench.main(args)


def _run_init(args: list[str]) -> int:
    # Imported only on request, like the benchmarks.
    from fastxavier import _init_command

    return _init_command.main(args)


if __name__ == "__main__":
    sys.exit(main())
