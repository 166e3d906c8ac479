"""The module's default generator, and the generator a seedless fill draws from.

Fills called without ``seed=`` take the next stream of a generator, so two calls never
share values: the generator of the running :class:`Generator` method if there is one,
else the default generator. The default generator's seed comes from OS entropy when
it is first used; :func:`manual_seed` fixes it and restarts the stream count.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from ._generator import Generator

__all__ = ["manual_seed", "initial_seed", "default_generator"]

_default: Optional[Generator] = None
_default_lock = threading.Lock()

# Set by Generator methods for the duration of one call, in the calling thread only.
_active: ContextVar[Optional[Generator]] = ContextVar(
    "fastxavier_active_generator", default=None
)


def default_generator() -> Generator:
    """Return the generator that fills called without ``seed=`` draw from.

    It is created on first use with a seed from OS entropy. :func:`manual_seed` and
    :func:`initial_seed` act on it.

    Returns
    -------
    Generator
        The same object on every call.

    Examples
    --------
    >>> import fastxavier
    >>> fastxavier.manual_seed(7)
    >>> fastxavier.default_generator().get_state()
    {'seed': 7, 'next_stream': 0, 'spawn_count': 0}
    """
    global _default
    with _default_lock:
        if _default is None:
            # Imported here: _generator imports _api, which imports this module.
            from ._generator import Generator

            _default = Generator()
        return _default


def manual_seed(seed: int) -> None:
    """Set the default seed and restart its streams at 0, making seedless calls
    reproducible.

    Parameters
    ----------
    seed : int
        An integer in [0, 2**64).

    Raises
    ------
    TypeError, ValueError
        If `seed` is not an integer in [0, 2**64).

    Examples
    --------
    >>> import numpy as np, fastxavier
    >>> fastxavier.manual_seed(0)
    >>> a = fastxavier.uniform_(np.empty((4, 4)))
    >>> b = fastxavier.uniform_(np.empty((4, 4)), seed=0, stream=0)
    >>> bool((a == b).all())
    True
    """
    default_generator().manual_seed(seed)


def initial_seed() -> int:
    """Return the current default seed."""
    return default_generator().seed


def next_default_key() -> tuple[int, int]:
    """Return (seed, stream) for one seedless call and advance the stream count."""
    generator = _active.get()
    if generator is None:
        generator = default_generator()
    return generator.next_key()


@contextmanager
def drawing_from(generator: Generator) -> Iterator[None]:
    """Make seedless fills in this context draw their keys from `generator`."""
    token = _active.set(generator)
    try:
        yield
    finally:
        _active.reset(token)
