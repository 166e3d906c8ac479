"""The module's default seed and its stream counter.

Fills called without ``seed=`` draw from here: every such call takes the next stream
of the default seed, so two calls never share values. The default seed comes from OS
entropy at import; :func:`manual_seed` fixes it and restarts the stream count.
"""

from __future__ import annotations

import secrets
import threading

from ._checks import check_uint64

__all__ = ["manual_seed", "initial_seed"]

_lock = threading.Lock()
_seed = secrets.randbits(64)
_next_stream = 0


def manual_seed(seed: int) -> None:
    """Set the default seed and restart its streams at 0, making seedless calls
    reproducible.

    Parameters
    ----------
    seed : int
        An integer in [0, 2**64).
    """
    global _seed, _next_stream
    checked = check_uint64(seed, "seed")
    with _lock:
        _seed = checked
        _next_stream = 0


def initial_seed() -> int:
    """Return the current default seed."""
    with _lock:
        return _seed


def next_default_key() -> tuple[int, int]:
    """Return (seed, stream) for one seedless call and advance the stream count."""
    global _next_stream
    with _lock:
        stream = _next_stream
        _next_stream = (_next_stream + 1) % (1 << 64)
        return _seed, stream
