"""fastxavier.Generator: streams, names, spawn, state, threads and the default."""

import copy
import hashlib
import inspect
import pickle
import threading

import numpy as np
import pytest
from _support import run_python

import fastxavier
from fastxavier import _generator

FILL_METHODS = [
    "uniform_",
    "normal_",
    "trunc_normal_",
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
    "bits_",
]
VS_ARGS = (1.0, "fan_avg", "uniform")


def call(target, name, stream_kwargs):
    """Call fill `name` on `target` (a Generator or the module) with a fresh array."""
    if name == "bits_":
        return target.bits_(np.empty((6, 5), dtype=np.uint32), **stream_kwargs)
    if name.endswith("_"):
        args = VS_ARGS if name == "variance_scaling_" else ()
        return getattr(target, name)(
            np.empty((6, 5), dtype=np.float32), *args, **stream_kwargs
        )
    args = VS_ARGS if name == "variance_scaling" else ()
    return getattr(target, name)((6, 5), *args, **stream_kwargs)


def state(generator):
    return generator.get_state()


@pytest.mark.parametrize("name", FILL_METHODS)
def test_method_takes_next_stream(name):
    generator = fastxavier.Generator(1234)
    call(generator, name, {})  # stream 0
    second = call(generator, name, {})
    expected = call(fastxavier, name, {"seed": 1234, "stream": 1})
    assert second.tobytes() == expected.tobytes()
    assert state(generator)["next_stream"] == 2


@pytest.mark.parametrize("name", FILL_METHODS)
def test_method_signature_drops_seed(name):
    method = inspect.signature(getattr(fastxavier.Generator, name))
    function = inspect.signature(getattr(fastxavier, name))
    expected = [p.name for p in function.parameters.values() if p.name != "seed"]
    assert [p.name for p in method.parameters.values()] == ["self", *expected]
    assert method.parameters["stream"].default is None


@pytest.mark.parametrize("name", FILL_METHODS)
def test_method_rejects_seed(name):
    with pytest.raises(TypeError, match="seed"):
        call(fastxavier.Generator(1), name, {"seed": 3})


def test_sequence_is_reproducible():
    def run(generator):
        return [
            generator.uniform_(np.empty((8, 4), dtype=np.float32)).tobytes(),
            generator.kaiming_normal_(np.empty((3, 5))).tobytes(),
            generator.glorot_normal((4, 4), "float16").tobytes(),
            generator.bits_(np.empty(9, dtype=np.uint32)).tobytes(),
        ]

    first = run(fastxavier.Generator(99))
    assert first == run(fastxavier.Generator(99))
    assert len(set(first)) == 4
    assert first != run(fastxavier.Generator(100))


def test_fresh_generator_streams_count_from_zero():
    generator = fastxavier.Generator(5)
    for stream in range(4):
        got = generator.normal_(np.empty(7), 7, 7)
        expected = fastxavier.normal_(np.empty(7), 7, 7, seed=5, stream=stream)
        assert got.tobytes() == expected.tobytes()
    assert state(generator)["next_stream"] == 4


def test_positional_arguments_pass_through():
    generator = fastxavier.Generator(8)
    got = generator.uniform_(np.empty((4, 4)), 3, 5, gain=2.0)
    expected = fastxavier.uniform_(np.empty((4, 4)), 3, 5, gain=2.0, seed=8, stream=0)
    assert got.tobytes() == expected.tobytes()


# ---- explicit and named streams ------------------------------------------------------


def test_stream_name_hash_rule():
    digest = hashlib.sha256(b"encoder.layers.0.weight").digest()  # its UTF-8 bytes
    assert fastxavier.stream_of_name("encoder.layers.0.weight") == int.from_bytes(
        digest[:8], "little"
    )


@pytest.mark.parametrize("name", FILL_METHODS)
def test_named_stream_keeps_counter(name):
    generator = fastxavier.Generator(77)
    named = call(generator, name, {"stream": "decoder.weight"})
    stream = fastxavier.stream_of_name("decoder.weight")
    expected = call(fastxavier, name, {"seed": 77, "stream": stream})
    assert named.tobytes() == expected.tobytes()
    assert state(generator)["next_stream"] == 0


def test_explicit_integer_stream_keeps_counter():
    generator = fastxavier.Generator(3)
    generator.he_uniform_(np.empty((5, 5)))
    zero = generator.he_uniform_(np.empty((5, 5)), stream=0)
    assert (
        zero.tobytes()
        == fastxavier.he_uniform_(np.empty((5, 5)), seed=3, stream=0).tobytes()
    )
    assert state(generator)["next_stream"] == 1


def test_named_stream_independent_of_other_layers():
    # Adding a layer elsewhere does not change a named layer's values.
    small = fastxavier.Generator(10)
    small.he_normal_(np.empty((4, 4)))
    before = small.he_normal_(np.empty((6, 3)), stream="head")
    grown = fastxavier.Generator(10)
    grown.he_normal_(np.empty((4, 4)))
    grown.he_normal_(np.empty((9, 9)))  # the new layer
    after = grown.he_normal_(np.empty((6, 3)), stream="head")
    assert before.tobytes() == after.tobytes()


@pytest.mark.parametrize(
    "stream,error",
    [(-1, ValueError), (2**64, ValueError), (1.5, TypeError), (b"w", TypeError)],
)
def test_bad_stream(stream, error):
    generator = fastxavier.Generator(3)
    with pytest.raises(error, match="stream"):
        generator.normal_(np.empty((3, 3)), stream=stream)


# ---- calls that take no stream -------------------------------------------------------


def test_rejected_call_takes_no_stream():
    generator = fastxavier.Generator(4)
    array = np.zeros((3, 3), dtype=np.float32)
    with pytest.raises(ValueError):
        generator.kaiming_uniform_(array, mode="fan_avg")
    with pytest.raises(ValueError):
        generator.uniform_(np.empty(5))  # 1-D without fans
    with pytest.raises(TypeError):
        generator.normal_(np.zeros(4, dtype=np.int32), 2, 2)
    with pytest.raises(ValueError):
        generator.bits_(np.empty(4, dtype=np.uint32), start=-1)
    assert (array == 0).all()
    assert state(generator)["next_stream"] == 0


# Calls that raise ValueError in a check that needs the array's dtype or values.
FAILING_CALLS = {
    "uniform_ bound too large": lambda g: g.uniform_(
        np.empty((4, 4), np.float16), gain=1e6
    ),
    "uniform_ bound too small": lambda g: g.uniform_(
        np.empty((4, 4), np.float16), gain=1e-30
    ),
    "normal_ values too large": lambda g: g.normal_(
        np.empty((4, 4), np.float16), gain=1e5
    ),
    "trunc_normal_ far tail": lambda g: g.trunc_normal_(np.empty(4), 0, 1, 40, 50),
    "trunc_normal_ no dtype value": lambda g: g.trunc_normal_(
        np.empty(4, np.float16), 0, 1, 1.0001, 1.0002
    ),
    "trunc_normal_ std too small": lambda g: g.trunc_normal_(
        np.empty(4, np.float16), 0, 1e-30, -1, 1
    ),
    "kaiming_uniform_ bound too small": lambda g: g.kaiming_uniform_(
        np.empty((4, 4), np.float16), a=1e6
    ),
    "kaiming_normal_ std too small": lambda g: g.kaiming_normal_(
        np.empty((4, 4), np.float16), a=1e6
    ),
    "variance_scaling_ bound too large": lambda g: g.variance_scaling_(
        np.empty((4, 4), np.float16), 1e12, "fan_in", "uniform"
    ),
    "variance_scaling_ normal too large": lambda g: g.variance_scaling_(
        np.empty((4, 4), np.float16), 2.56e8, "fan_in", "normal"
    ),
    "he_normal_ std too small": lambda g: g.he_normal_(
        np.empty((4, 4), np.float16), fan_in=2**40
    ),
    "lecun_uniform_ bound too small": lambda g: g.lecun_uniform_(
        np.empty(4, np.float16), fan_in=2**40
    ),
    "glorot_normal_ std too small": lambda g: g.glorot_normal_(
        np.empty((4, 4), np.float16), fan_in=2**40, fan_out=2**40
    ),
    "variance_scaling too small": lambda g: g.variance_scaling(
        (4, 4), 1e-30, "fan_in", "uniform", "float16"
    ),
    "glorot_uniform non-native dtype": lambda g: g.glorot_uniform((4, 5), ">f4"),
    "he_uniform too small": lambda g: g.he_uniform((4, 4), "float16", fan_in=2**40),
    "bits_ start out of range": lambda g: g.bits_(
        np.empty(4, np.uint32), start=4 * 2**64
    ),
}


@pytest.mark.parametrize("call_name", list(FAILING_CALLS))
def test_failing_check_takes_no_stream(call_name):
    generator = fastxavier.Generator(11)

    with pytest.raises(ValueError):
        FAILING_CALLS[call_name](generator)

    assert state(generator)["next_stream"] == 0


def test_invalid_thread_environment_takes_no_stream():
    # In a new interpreter, because the test suite calls set_num_threads, after which
    # the variable is not read.
    code = """
import numpy as np, fastxavier
generator = fastxavier.Generator(11)
calls = [
    lambda: generator.uniform_(np.empty((4, 4))),
    lambda: generator.normal_(np.empty((4, 4))),
    lambda: generator.trunc_normal_(np.empty(4)),
    lambda: generator.kaiming_uniform_(np.empty((4, 4))),
    lambda: generator.he_normal_(np.empty((4, 4))),
    lambda: generator.glorot_uniform((4, 4)),
    lambda: generator.bits_(np.empty(4, np.uint32)),
]
for call in calls:
    try:
        call()
    except ValueError as error:
        assert "FASTXAVIER_NUM_THREADS='bogus' is invalid" in str(error), error
    else:
        raise AssertionError("no ValueError")
    assert generator.get_state()["next_stream"] == 0, generator.get_state()
# threads= overrides the variable, so these calls fill and take streams.
generator.uniform_(np.empty((4, 4)), threads=1)
generator.bits_(np.empty(4, np.uint32), threads=1)
print(generator.get_state()["next_stream"])
"""
    result = run_python(code, {"FASTXAVIER_NUM_THREADS": "bogus"})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2"


def test_empty_array_takes_no_stream():
    generator = fastxavier.Generator(4)
    generator.uniform_(np.empty((0, 3)))
    generator.glorot_normal((0,))
    generator.bits_(np.empty(0, dtype=np.uint32))
    assert state(generator)["next_stream"] == 0


def test_module_calls_leave_generator_alone():
    generator = fastxavier.Generator(6)
    fastxavier.manual_seed(1)
    fastxavier.uniform_(np.empty((3, 3)))
    assert state(generator)["next_stream"] == 0
    generator.uniform_(np.empty((3, 3)))
    assert fastxavier.default_generator().get_state()["next_stream"] == 1


# ---- seeds ---------------------------------------------------------------------------


def test_entropy_seed_is_recorded():
    first = fastxavier.Generator()
    second = fastxavier.Generator()
    assert 0 <= first.seed < 2**64
    assert first.seed != second.seed  # equal with probability 2**-64
    replay = fastxavier.Generator(first.seed)
    assert (
        first.uniform_(np.empty((4, 4))).tobytes()
        == replay.uniform_(np.empty((4, 4))).tobytes()
    )


@pytest.mark.parametrize(
    "seed,error",
    [
        (-1, ValueError),
        (2**64, ValueError),
        (1.0, TypeError),
        (True, TypeError),
        ("7", TypeError),
    ],
)
def test_bad_seed(seed, error):
    with pytest.raises(error, match="seed"):
        fastxavier.Generator(seed)


def test_numpy_integer_seed():
    assert fastxavier.Generator(np.uint64(2**64 - 1)).seed == 2**64 - 1


def test_manual_seed_method_resets():
    generator = fastxavier.Generator(1)
    generator.uniform_(np.empty((2, 2)))
    generator.spawn(2)
    assert generator.manual_seed(9) is generator
    assert state(generator) == {"seed": 9, "next_stream": 0, "spawn_count": 0}


def test_repr():
    generator = fastxavier.Generator(42)
    generator.next_key()
    expected = "<fastxavier.Generator seed=42 next_stream=1 spawn_count=0>"
    assert repr(generator) == expected


def test_next_key():
    generator = fastxavier.Generator(11)
    assert generator.next_key() == (11, 0)
    assert generator.next_key("w") == (11, fastxavier.stream_of_name("w"))
    assert generator.next_key(5) == (11, 5)
    assert generator.next_key() == (11, 1)


def test_stream_counter_wraps():
    generator = fastxavier.Generator(1)
    generator.set_state({"seed": 1, "next_stream": 2**64 - 1, "spawn_count": 0})
    assert generator.next_key() == (1, 2**64 - 1)
    assert generator.next_key() == (1, 0)


# ---- spawn ---------------------------------------------------------------------------


def test_spawn_children_differ():
    parent = fastxavier.Generator(2024)
    children = parent.spawn(5)
    seeds = [child.seed for child in children]
    assert len(set(seeds)) == 5
    assert parent.seed not in seeds
    values = {child.normal_(np.empty((4, 4))).tobytes() for child in children}
    values.add(parent.normal_(np.empty((4, 4))).tobytes())
    assert len(values) == 6


def test_spawn_rule():
    message = (
        b"fastxavier.Generator.spawn"
        + (2024).to_bytes(8, "little")
        + (3).to_bytes(8, "little")
    )
    expected = int.from_bytes(hashlib.sha256(message).digest()[:8], "little")
    assert fastxavier.Generator(2024).spawn(4)[3].seed == expected


def test_spawn_is_reproducible_and_continues():
    once = [child.seed for child in fastxavier.Generator(7).spawn(5)]
    parent = fastxavier.Generator(7)
    in_parts = [child.seed for child in parent.spawn(2) + parent.spawn(3)]
    assert in_parts == once
    assert state(parent) == {"seed": 7, "next_stream": 0, "spawn_count": 5}


def test_spawned_child_is_fresh():
    child = fastxavier.Generator(7).spawn(1)[0]
    assert state(child)["next_stream"] == 0
    assert state(child)["spawn_count"] == 0
    grandchildren = child.spawn(2)
    assert len({g.seed for g in grandchildren} | {child.seed}) == 3


def test_spawn_zero_and_bad_counts():
    generator = fastxavier.Generator(1)
    assert generator.spawn(0) == []
    with pytest.raises(ValueError, match="n=-1 is invalid"):
        generator.spawn(-1)
    with pytest.raises(TypeError, match="n=2.0"):
        generator.spawn(2.0)
    generator.set_state({"seed": 1, "next_stream": 0, "spawn_count": 2**64 - 1})
    with pytest.raises(ValueError, match="past 2\\*\\*64 - 1"):
        generator.spawn(2)
    assert state(generator)["spawn_count"] == 2**64 - 1


def test_spawn_past_limit_raises():
    generator = fastxavier.Generator(0)
    generator.set_state({"seed": 1, "next_stream": 0, "spawn_count": 2**64 - 1})

    with pytest.raises(ValueError, match=r"n=1 is too large.*expected n <= 0$"):
        generator.spawn(1)

    assert state(generator)["spawn_count"] == 2**64 - 1
    assert pickle.loads(pickle.dumps(generator)).get_state() == state(generator)
    assert generator.spawn(0) == []


def test_spawn_up_to_limit_stays_picklable():
    generator = fastxavier.Generator(0)
    generator.set_state({"seed": 1, "next_stream": 0, "spawn_count": 2**64 - 3})

    children = generator.spawn(2)

    assert [child.seed for child in children] == [
        _generator.child_seed(1, 2**64 - 3),
        _generator.child_seed(1, 2**64 - 2),
    ]
    assert state(generator)["spawn_count"] == 2**64 - 1
    copied = pickle.loads(pickle.dumps(generator))
    assert copied.get_state() == state(generator)


# ---- state ---------------------------------------------------------------------------


def test_state_round_trip():
    generator = fastxavier.Generator(55)
    generator.uniform_(np.empty((3, 3)))
    generator.spawn(2)
    saved = generator.get_state()
    assert saved == {"seed": 55, "next_stream": 1, "spawn_count": 2}
    expected_values = generator.he_normal_(np.empty((5, 5))).tobytes()
    expected_child = generator.spawn(1)[0].seed

    restored = fastxavier.Generator(0)
    restored.set_state(saved)
    assert restored.he_normal_(np.empty((5, 5))).tobytes() == expected_values
    assert restored.spawn(1)[0].seed == expected_child


def test_pickle_and_copy_keep_state():
    generator = fastxavier.Generator(12)
    generator.uniform_(np.empty((2, 2)))
    generator.spawn(3)
    saved = generator.get_state()
    for clone in (pickle.loads(pickle.dumps(generator)), copy.deepcopy(generator)):
        assert clone is not generator
        assert clone.get_state() == saved
        assert clone.next_key() == (12, 1)
    assert generator.get_state() == saved  # the clones advance on their own


def test_get_state_returns_a_copy():
    generator = fastxavier.Generator(1)
    saved = generator.get_state()
    saved["next_stream"] = 10
    assert state(generator)["next_stream"] == 0


@pytest.mark.parametrize(
    "bad,error,match",
    [
        ([1, 0, 0], TypeError, "state has type list"),
        ({"seed": 1, "next_stream": 0}, ValueError, r"missing keys \['spawn_count'\]"),
        (
            {"seed": 1, "next_stream": 0, "spawn_count": 0, "extra": 1},
            ValueError,
            r"unknown keys \['extra'\]",
        ),
        (
            {"seed": -1, "next_stream": 0, "spawn_count": 0},
            ValueError,
            r"state\['seed'\]=-1 is out of range",
        ),
        (
            {"seed": 1, "next_stream": 2**64, "spawn_count": 0},
            ValueError,
            r"state\['next_stream'\]",
        ),
        (
            {"seed": 1, "next_stream": 0, "spawn_count": 1.0},
            TypeError,
            r"state\['spawn_count'\]=1.0",
        ),
        ({"seed": "1", "next_stream": 0, "spawn_count": 0}, TypeError, "state"),
    ],
)
def test_set_state_rejects(bad, error, match):
    generator = fastxavier.Generator(3)
    before = generator.get_state()
    with pytest.raises(error, match=match):
        generator.set_state(bad)
    assert generator.get_state() == before


# ---- threads -------------------------------------------------------------------------


def test_sixteen_threads_take_distinct_streams():
    generator = fastxavier.Generator(31)
    calls_per_thread = 50
    results = [[] for _ in range(16)]
    errors = []
    barrier = threading.Barrier(16)

    def work(index):
        try:
            barrier.wait()
            for _ in range(calls_per_thread):
                values = generator.uniform_(np.empty(8, dtype=np.float32), 3, 3)
                results[index].append(values.tobytes())
        except Exception as error:  # noqa: BLE001 - reported to the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    total = 16 * calls_per_thread
    seen = [values for per_thread in results for values in per_thread]
    assert len(seen) == total
    expected = {
        fastxavier.uniform_(
            np.empty(8, dtype=np.float32), 3, 3, seed=31, stream=stream
        ).tobytes()
        for stream in range(total)
    }
    assert set(seen) == expected  # every stream 0 .. total - 1 exactly once
    assert state(generator)["next_stream"] == total


def test_generator_context_is_per_thread():
    # While one thread is inside a Generator method (drawing_from is what the method
    # enters), seedless module calls in another thread keep the default generator.
    generator = fastxavier.Generator(8)
    fastxavier.manual_seed(2)
    started = threading.Event()
    release = threading.Event()

    def slow_fill():
        with fastxavier._seeding.drawing_from(generator):
            started.set()
            release.wait(timeout=30)

    thread = threading.Thread(target=slow_fill)
    thread.start()
    started.wait(timeout=30)
    fastxavier.uniform_(np.empty((3, 3)))
    release.set()
    thread.join()
    assert fastxavier.default_generator().get_state()["next_stream"] == 1
    assert state(generator)["next_stream"] == 0


# ---- the default generator -----------------------------------------------------------


def test_default_generator_is_a_generator():
    default = fastxavier.default_generator()
    assert isinstance(default, fastxavier.Generator)
    assert fastxavier.default_generator() is default


def test_manual_seed_resets_default():
    fastxavier.manual_seed(123)
    assert fastxavier.initial_seed() == 123
    assert fastxavier.default_generator().get_state() == {
        "seed": 123,
        "next_stream": 0,
        "spawn_count": 0,
    }
    first = fastxavier.lecun_uniform_(np.empty((4, 4)))
    explicit = fastxavier.lecun_uniform_(np.empty((4, 4)), seed=123, stream=0)
    assert first.tobytes() == explicit.tobytes()
    assert fastxavier.default_generator().get_state()["next_stream"] == 1


def test_default_generator_methods_share_counter():
    fastxavier.manual_seed(5)
    fastxavier.uniform_(np.empty((2, 2)))
    second = fastxavier.default_generator().uniform_(np.empty((2, 2)))
    assert (
        second.tobytes()
        == fastxavier.uniform_(np.empty((2, 2)), seed=5, stream=1).tobytes()
    )


def test_manual_seed_rejects_bad_seed():
    fastxavier.manual_seed(5)
    with pytest.raises(ValueError, match="seed=-1"):
        fastxavier.manual_seed(-1)
    assert fastxavier.initial_seed() == 5


def test_child_seed_function_matches_spawn():
    assert _generator.child_seed(5, 0) == fastxavier.Generator(5).spawn(1)[0].seed
