"""Generator: a seed, a stream counter and every fill as a method.

A call of a fill method without ``stream=`` takes the generator's next stream (0, 1,
2, ... for a new generator), so a sequence of calls is reproducible from the seed. A
call with ``stream=`` (an int, or a name hashed by :func:`stream_of_name`) uses that
stream and leaves the counter alone. Like the module's seedless fills, a method takes
a stream only once its arguments are checked and the array is non-empty: a call that
raises, or that fills an empty array, leaves the counter unchanged.
"""

from __future__ import annotations

import hashlib
import inspect
import secrets
import threading
from typing import Any, Callable, Optional

import numpy as np

from . import _api, _family, _seeding
from ._api import Stream, check_stream
from ._checks import UINT64_LIMIT, check_integer, check_uint64

__all__ = ["Generator"]

STATE_KEYS = ("seed", "next_stream", "spawn_count")

# Prefix of the SHA-256 message that derives a child's seed. It keeps these digests
# apart from those of stream names.
SPAWN_DOMAIN = b"fastxavier.Generator.spawn"


def child_seed(parent_seed: int, index: int) -> int:
    """Return the seed of child `index` (0, 1, ...) spawned from a parent seed.

    The seed is the first 8 bytes, read little-endian, of the SHA-256 digest of
    SPAWN_DOMAIN followed by the parent seed and the index, each as 8 little-endian
    bytes.
    """
    message = (
        SPAWN_DOMAIN + parent_seed.to_bytes(8, "little") + index.to_bytes(8, "little")
    )
    return int.from_bytes(hashlib.sha256(message).digest()[:8], "little")


class _StreamSource:
    """The source a seedless fill inside a Generator method draws its key from.

    _seeding.next_default_key calls its next_key, which checks FASTXAVIER_NUM_THREADS
    (when the call leaves `threads` at None) and then takes the generator's next
    stream.
    """

    def __init__(self, generator: Generator, threads: object) -> None:
        self._generator = generator
        self._threads = threads

    def next_key(self) -> tuple[int, int]:
        if self._threads is None:
            _family.check_thread_environment()
        return self._generator.next_key()


def _method_signature(function: Callable) -> inspect.Signature:
    """Return the signature of `function` with `self` first, without `seed`, and with
    stream=None (take the next stream) as the default."""
    original = inspect.signature(function)
    parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    for parameter in original.parameters.values():
        if parameter.name == "seed":
            continue
        if parameter.name == "stream":
            parameter = parameter.replace(default=None, annotation="Optional[Stream]")
        parameters.append(parameter)
    return original.replace(parameters=parameters)


def _fill_method(function: Callable) -> Callable:
    """Return a Generator method that calls `function` with the generator's seed."""
    signature = _method_signature(function)

    def method(self: Generator, *args: Any, **kwargs: Any) -> np.ndarray:
        if "seed" in kwargs:
            raise TypeError(
                f"Generator.{function.__name__}() takes no seed, because the "
                f"generator supplies it; call fastxavier.{function.__name__}(..., "
                "seed=...) for an explicit seed"
            )
        bound = signature.bind(self, *args, **kwargs)
        stream = bound.arguments.pop("stream", None)
        positional = bound.args[1:]  # without self
        if stream is not None:
            return function(*positional, seed=self.seed, stream=stream, **bound.kwargs)
        # Without a seed, the fill checks its arguments and then draws its key from
        # the source that drawing_from installs, so a call that raises in a check
        # takes no stream.
        source = _StreamSource(self, bound.arguments.get("threads"))
        with _seeding.drawing_from(source):
            return function(*positional, **bound.kwargs)

    method.__name__ = function.__name__
    method.__qualname__ = f"Generator.{function.__name__}"
    method.__signature__ = signature
    method.__doc__ = (
        f"Call :func:`fastxavier.{function.__name__}` with this generator's seed.\n\n"
        "Parameters, return value and errors are those of the function, without\n"
        "`seed`. `stream` None (the default) takes the generator's next stream. An\n"
        "int or a name selects that stream and does not advance the counter.\n"
    )
    return method


class Generator:
    """A Philox key with a stream counter: reproducible sequences of fills.

    Every fill of the package is a method with the same parameters minus `seed`.
    The methods are thread-safe: concurrent calls without ``stream=`` always take
    distinct streams. A generator pickles and copies through :meth:`get_state`.

    Parameters
    ----------
    seed : int, optional
        Philox key in [0, 2**64). None draws 64 bits of OS entropy with the secrets
        module. The seed drawn is readable as :attr:`seed`, so the run can be
        repeated.

    Raises
    ------
    TypeError
        If `seed` is not an integer.
    ValueError
        If `seed` is outside [0, 2**64).

    Examples
    --------
    >>> import numpy as np, fastxavier
    >>> generator = fastxavier.Generator(42)
    >>> w1 = generator.uniform_(np.empty((64, 32), dtype=np.float32))  # stream 0
    >>> w2 = generator.kaiming_normal_(np.empty((32, 64)))             # stream 1
    >>> head = generator.normal_(np.empty((10, 64)), stream="head.weight")
    >>> generator.get_state()
    {'seed': 42, 'next_stream': 2, 'spawn_count': 0}
    """

    def __init__(self, seed: Optional[int] = None) -> None:
        self._lock = threading.Lock()
        if seed is None:
            seed = secrets.randbits(64)
        self._seed = check_uint64(seed, "seed")
        self._next_stream = 0
        self._spawn_count = 0

    @property
    def seed(self) -> int:
        """The Philox key, in [0, 2**64)."""
        with self._lock:
            return self._seed

    def next_key(self, stream: Optional[Stream] = None) -> tuple[int, int]:
        """Return the (seed, stream) pair of one fill.

        Parameters
        ----------
        stream : int or str, optional
            None takes the next stream and advances the counter (modulo 2**64). An
            int in [0, 2**64), or a name hashed by :func:`stream_of_name`, is
            returned as the stream and leaves the counter alone.

        Returns
        -------
        tuple of int
            (seed, stream).

        Raises
        ------
        TypeError, ValueError
            If `stream` is not None, an integer in [0, 2**64) or a str.

        Examples
        --------
        >>> import fastxavier
        >>> generator = fastxavier.Generator(7)
        >>> generator.next_key(), generator.next_key()
        ((7, 0), (7, 1))
        """
        if stream is not None:
            return self.seed, check_stream(stream)
        with self._lock:
            stream = self._next_stream
            self._next_stream = (stream + 1) % UINT64_LIMIT
            return self._seed, stream

    def manual_seed(self, seed: int) -> Generator:
        """Set the seed, restart the streams at 0 and the spawn count at 0.

        Parameters
        ----------
        seed : int
            Philox key in [0, 2**64).

        Returns
        -------
        Generator
            This generator.

        Raises
        ------
        TypeError, ValueError
            If `seed` is not an integer in [0, 2**64).

        Examples
        --------
        >>> import fastxavier
        >>> fastxavier.Generator(1).manual_seed(5).get_state()
        {'seed': 5, 'next_stream': 0, 'spawn_count': 0}
        """
        checked = check_uint64(seed, "seed")
        with self._lock:
            self._seed = checked
            self._next_stream = 0
            self._spawn_count = 0
        return self

    def spawn(self, n: int) -> list[Generator]:
        """Return `n` new generators whose seeds derive from this one's.

        Child k of this generator (k counts every child spawned so far, from 0) has
        the seed ``child_seed(seed, k)``: the first 8 bytes, little-endian, of
        SHA-256(b"fastxavier.Generator.spawn" + seed + k), with seed and k as 8
        little-endian bytes each. So children are reproducible from the parent's
        seed and spawn count, differ from each other and from the parent (but for
        a 64-bit hash collision), and start at stream 0. The parent's stream
        counter is not touched.

        Parameters
        ----------
        n : int
            Number of children, >= 0.

        Returns
        -------
        list of Generator
            The children, in spawn order.

        Raises
        ------
        TypeError
            If `n` is not an integer.
        ValueError
            If `n` is negative, or the spawn count would pass 2**64 - 1. The
            generator is not modified then.

        Examples
        --------
        >>> import fastxavier
        >>> workers = fastxavier.Generator(42).spawn(4)
        >>> len({worker.seed for worker in workers})
        4
        """
        count = check_integer(n, "n")
        if count < 0:
            raise ValueError(f"n={count} is invalid; expected an integer >= 0")
        with self._lock:
            first = self._spawn_count
            # Raise rather than wrap around, because wrapping would reuse child
            # indices from 0 and so return children equal to earlier ones. The count
            # stays in [0, 2**64), the range that set_state and pickle accept.
            if first + count > UINT64_LIMIT - 1:
                raise ValueError(
                    f"n={count} is too large, because it would raise the spawn count "
                    f"of this generator from {first} past 2**64 - 1, the largest "
                    f"spawn count; expected n <= {UINT64_LIMIT - 1 - first}"
                )
            self._spawn_count = first + count
            seed = self._seed
        return [Generator(child_seed(seed, first + k)) for k in range(count)]

    def get_state(self) -> dict[str, int]:
        """Return the state as a plain dict: seed, next_stream and spawn_count.

        Returns
        -------
        dict
            ``{"seed": ..., "next_stream": ..., "spawn_count": ...}``, ints in
            [0, 2**64). :meth:`set_state` restores it.

        Examples
        --------
        >>> import fastxavier
        >>> fastxavier.Generator(3).get_state()
        {'seed': 3, 'next_stream': 0, 'spawn_count': 0}
        """
        with self._lock:
            return {
                "seed": self._seed,
                "next_stream": self._next_stream,
                "spawn_count": self._spawn_count,
            }

    def set_state(self, state: dict[str, int]) -> None:
        """Restore a state returned by :meth:`get_state`.

        Parameters
        ----------
        state : dict
            Exactly the keys "seed", "next_stream" and "spawn_count", each an
            integer in [0, 2**64).

        Raises
        ------
        TypeError
            If `state` is not a dict or a value is not an integer.
        ValueError
            If a key is missing or unknown, or a value is outside [0, 2**64). The
            generator is not modified.

        Examples
        --------
        >>> import fastxavier
        >>> generator = fastxavier.Generator(9)
        >>> saved = generator.get_state()
        >>> _ = generator.next_key()
        >>> generator.set_state(saved)
        >>> generator.next_key()
        (9, 0)
        """
        values = _check_state(state)
        with self._lock:
            self._seed, self._next_stream, self._spawn_count = values

    def __reduce__(self):
        # A lock cannot be pickled, so pickle and copy go through the state dict.
        return (_generator_from_state, (self.get_state(),))

    def __repr__(self) -> str:
        state = self.get_state()
        return (
            f"<fastxavier.Generator seed={state['seed']} "
            f"next_stream={state['next_stream']} spawn_count={state['spawn_count']}>"
        )

    # Fills: the package's functions with this generator's seed.
    uniform_ = _fill_method(_api.uniform_)
    normal_ = _fill_method(_api.normal_)
    trunc_normal_ = _fill_method(_api.trunc_normal_)
    kaiming_uniform_ = _fill_method(_family.kaiming_uniform_)
    kaiming_normal_ = _fill_method(_family.kaiming_normal_)
    variance_scaling_ = _fill_method(_family.variance_scaling_)
    he_uniform_ = _fill_method(_family.he_uniform_)
    he_normal_ = _fill_method(_family.he_normal_)
    lecun_uniform_ = _fill_method(_family.lecun_uniform_)
    lecun_normal_ = _fill_method(_family.lecun_normal_)
    glorot_uniform_ = _fill_method(_family.glorot_uniform_)
    glorot_normal_ = _fill_method(_family.glorot_normal_)
    variance_scaling = _fill_method(_family.variance_scaling)
    he_uniform = _fill_method(_family.he_uniform)
    he_normal = _fill_method(_family.he_normal)
    lecun_uniform = _fill_method(_family.lecun_uniform)
    lecun_normal = _fill_method(_family.lecun_normal)
    glorot_uniform = _fill_method(_family.glorot_uniform)
    glorot_normal = _fill_method(_family.glorot_normal)

    def bits_(
        self,
        array: np.ndarray,
        *,
        stream: Optional[Stream] = None,
        start: int = 0,
        threads: Optional[int] = None,
    ) -> np.ndarray:
        """Call :func:`fastxavier.bits_` with this generator's seed.

        Parameters, return value and errors are those of the function, without
        `seed`. `stream` None (the default) takes the generator's next stream. An
        int or a name selects that stream and does not advance the counter.

        Examples
        --------
        >>> import numpy as np, fastxavier
        >>> words = fastxavier.Generator(0).bits_(np.empty(4, dtype=np.uint32))
        >>> words.dtype
        dtype('uint32')
        """
        if stream is None:
            # bits_ has no seedless path, so check first and draw only for a
            # fill that will write.
            _api.prepare_bits(array, self.seed, 0, start, threads)
            if array.size == 0:
                return array
            if threads is None:
                _family.check_thread_environment()
        seed, stream = self.next_key(stream)
        return _api.bits_(array, seed=seed, stream=stream, start=start, threads=threads)


def _generator_from_state(state: dict[str, int]) -> Generator:
    generator = Generator(0)
    generator.set_state(state)
    return generator


def _check_state(state: object) -> tuple[int, int, int]:
    if not isinstance(state, dict):
        raise TypeError(
            f"state has type {type(state).__name__}; expected the dict that "
            "get_state returns"
        )
    missing = [key for key in STATE_KEYS if key not in state]
    unknown = [key for key in state if key not in STATE_KEYS]
    if missing or unknown:
        raise ValueError(
            f"state has missing keys {missing} and unknown keys {unknown}; expected "
            f"exactly {list(STATE_KEYS)}"
        )
    return tuple(check_uint64(state[key], f"state[{key!r}]") for key in STATE_KEYS)
