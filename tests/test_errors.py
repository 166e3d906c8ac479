"""Every bad input raises the documented error and leaves the array untouched."""

import math

import numpy as np
import pytest
from _support import run_python

import fastxavier
from fastxavier import reference

FILLS = [fastxavier.uniform_, fastxavier.normal_, reference.uniform_, reference.normal_]
FILL_IDS = ["uniform_", "normal_", "reference.uniform_", "reference.normal_"]


def fresh(shape=(4, 5), dtype=np.float32):
    return np.arange(math.prod(shape), dtype=dtype).reshape(shape)


def assert_rejected(fill, array, error, match, *args, **kwargs):
    before = array.copy()
    with pytest.raises(error, match=match):
        fill(array, *args, **kwargs)
    assert np.array_equal(array, before), "a rejected call modified the array"


@pytest.fixture(params=FILLS, ids=FILL_IDS)
def fill(request):
    return request.param


@pytest.mark.parametrize(
    "dtype", [np.int32, np.int64, np.uint8, np.complex64, np.bool_]
)
def test_non_float_dtype(fill, dtype):
    array = np.zeros((4, 5), dtype=dtype)
    expected = "dtype .*expected float16, bfloat16, float32, float64"
    assert_rejected(fill, array, TypeError, expected, seed=1)


def test_not_an_ndarray(fill):
    with pytest.raises(TypeError, match="must be a numpy.ndarray, got list"):
        fill([[0.0, 1.0], [2.0, 3.0]], seed=1)


def test_read_only(fill):
    array = fresh()
    array.flags.writeable = False
    assert_rejected(fill, array, ValueError, "read-only", seed=1)


def test_byte_swapped(fill):
    array = fresh().astype(np.dtype(np.float32).newbyteorder())
    assert_rejected(fill, array, ValueError, "non-native byte order", seed=1)


@pytest.mark.parametrize("fan", [0, -3])
@pytest.mark.parametrize("name", ["fan_in", "fan_out"])
def test_fan_below_one(fill, name, fan):
    assert_rejected(
        fill, fresh(), ValueError, f"{name}={fan} is invalid", seed=1, **{name: fan}
    )


@pytest.mark.parametrize("fan", [2.5, "8", [3]])
def test_fan_not_integer(fill, fan):
    assert_rejected(
        fill, fresh(), TypeError, "fan_in=.*expected an integer", fan, 3, seed=1
    )


def test_fan_bool(fill):
    assert_rejected(fill, fresh(), TypeError, "bool", True, 3, seed=1)


@pytest.mark.parametrize("shape", [(10,), ()])
def test_missing_fans_low_rank(fill, shape):
    array = np.zeros(shape, dtype=np.float64)
    assert_rejected(fill, array, ValueError, "expected at least 2; pass fan_in", seed=1)


def test_one_fan_low_rank(fill):
    array = np.zeros(10, dtype=np.float64)
    assert_rejected(fill, array, ValueError, "at least 2", 4, seed=1)


@pytest.mark.parametrize("gain", [-1.0, math.inf, -math.inf, math.nan])
def test_gain_out_of_range(fill, gain):
    assert_rejected(
        fill,
        fresh(),
        ValueError,
        "gain=.*expected a finite number >= 0",
        gain=gain,
        seed=1,
    )


@pytest.mark.parametrize("gain", ["1.0", None, 1j])
def test_gain_wrong_type(fill, gain):
    assert_rejected(
        fill, fresh(), TypeError, "gain=.*expected a real number", gain=gain, seed=1
    )


@pytest.mark.parametrize("dtype,gain", [(np.float32, 1e39), (np.float16, 1e5)])
def test_bound_too_large_for_dtype(fill, dtype, gain):
    array = fresh(dtype=dtype)
    assert_rejected(fill, array, ValueError, "too large for float", gain=gain, seed=1)


@pytest.mark.parametrize("seed", [-1, 2**64, 2**70])
def test_seed_out_of_range(fill, seed):
    assert_rejected(
        fill,
        fresh(),
        ValueError,
        r"seed=.* expected an integer in \[0, 2\*\*64\)",
        seed=seed,
    )


@pytest.mark.parametrize("seed", [1.0, "3", np.float64(2.0)])
def test_seed_wrong_type(fill, seed):
    assert_rejected(fill, fresh(), TypeError, "seed=.*expected an integer", seed=seed)


@pytest.mark.parametrize("stream", [-1, 2**64])
def test_stream_out_of_range(fill, stream):
    assert_rejected(
        fill, fresh(), ValueError, "stream=.*out of range", seed=1, stream=stream
    )


def test_stream_wrong_type(fill):
    assert_rejected(
        fill, fresh(), TypeError, "stream=.*expected an integer", seed=1, stream=0.5
    )


def test_stream_without_seed(fill):
    assert_rejected(fill, fresh(), ValueError, "needs an explicit seed", stream=3)


@pytest.mark.parametrize("threads", [0, -2])
def test_threads_below_one(fill, threads):
    assert_rejected(
        fill,
        fresh(),
        ValueError,
        "threads=.*expected an integer from 1 to 4096",
        seed=1,
        threads=threads,
    )


def test_threads_wrong_type(fill):
    assert_rejected(
        fill, fresh(), TypeError, "threads=.*expected an integer", seed=1, threads=2.0
    )


def test_numpy_integers_accepted(fill):
    array = fresh()
    fill(
        array,
        np.int64(4),
        np.uint16(5),
        seed=np.uint64(2**64 - 1),
        stream=np.int8(3),
        threads=np.int32(2),
    )
    assert np.isfinite(array).all()


@pytest.mark.parametrize("shape", [(0,), (0, 5), (3, 0, 2)])
def test_empty_array_no_op(fill, shape):
    array = np.zeros(shape, dtype=np.float32)
    assert fill(array, seed=1) is array


def test_empty_array_still_checks_arguments(fill):
    with pytest.raises(ValueError, match="fan_in"):
        fill(np.zeros(0, dtype=np.float32), 0, 3, seed=1)


@pytest.mark.parametrize(
    "bits", [fastxavier.bits_, reference.bits_], ids=["kernel", "ref"]
)
class TestBits:
    def test_float_array(self, bits):
        array = fresh()
        assert_rejected(bits, array, TypeError, "expected uint32", seed=1)

    def test_start_negative(self, bits):
        array = np.zeros(4, dtype=np.uint32)
        assert_rejected(
            bits, array, ValueError, "start=-1 is out of range", seed=1, start=-1
        )

    def test_start_past_stream_end(self, bits):
        array = np.zeros(4, dtype=np.uint32)
        assert_rejected(
            bits,
            array,
            ValueError,
            r"start \+ array.size <= 2\*\*66",
            seed=1,
            start=2**66 - 3,
        )

    def test_seed_required(self, bits):
        with pytest.raises(TypeError, match="seed"):
            bits(np.zeros(4, dtype=np.uint32))

    def test_byte_swapped(self, bits):
        array = np.zeros(4, dtype=np.dtype(np.uint32).newbyteorder())
        assert_rejected(bits, array, ValueError, "non-native", seed=1)


def test_forced_isa_error_is_clear():
    from _support import run_python

    result = run_python("import fastxavier", {"FASTXAVIER_ISA": "avx1024"})
    assert "expected one of: scalar" in result.stderr


def test_invalid_thread_environment():
    from _support import run_python

    code = (
        "import numpy, fastxavier; fastxavier.uniform_(numpy.empty((300, 300)), seed=1)"
    )
    result = run_python(code, {"FASTXAVIER_NUM_THREADS": "zero"})
    assert result.returncode != 0
    assert "FASTXAVIER_NUM_THREADS='zero' is invalid" in result.stderr


def test_set_num_threads_rejects_zero():
    with pytest.raises(ValueError, match="threads=0 is invalid"):
        fastxavier.set_num_threads(0)


@pytest.mark.parametrize(
    "dtype,gain,fans", [(np.float32, 1e-40, (3, 3)), (np.float16, 1.0, (2**53, 1))]
)
def test_bound_too_small_for_dtype(fill, dtype, gain, fans):
    array = fresh(dtype=dtype)
    assert_rejected(
        fill, array, ValueError, "too small for float", *fans, gain=gain, seed=1
    )


def test_failed_seedless_call_takes_no_stream(fill):
    fastxavier.manual_seed(3)
    with pytest.raises(ValueError):
        fill(np.empty((4, 4), dtype=np.float16), gain=1e6)
    after_error = fill(np.empty((4, 4)), 4, 4)
    fastxavier.manual_seed(3)
    first = fill(np.empty((4, 4)), 4, 4)
    assert after_error.tobytes() == first.tobytes()


@pytest.mark.parametrize("threads", [4097, 2**31, 2**63])
def test_threads_above_limit(fill, threads):
    assert_rejected(
        fill,
        fresh(),
        ValueError,
        "expected an integer from 1 to 4096",
        seed=1,
        threads=threads,
    )


def test_stream_name_not_utf8(fill):
    assert_rejected(
        fill, fresh(), ValueError, "stream name .* is invalid", seed=1, stream="\ud800"
    )


def test_stream_of_name_needs_str():
    with pytest.raises(TypeError, match="expected a str"):
        fastxavier.stream_of_name(5)


@pytest.mark.parametrize(
    "index,error,match",
    [
        ((Ellipsis, slice(2, 4)), TypeError, "expected a slice or an integer"),
        ((None, slice(2, 4)), TypeError, "expected a slice or an integer"),
        (slice(2, 4, 0), ValueError, "slice step 0"),
    ],
    ids=["ellipsis", "newaxis", "step_0"],
)
def test_bad_shard_index(fill, index, error, match):
    array = fresh(shape=(2, 5))
    assert_rejected(
        fill, array, error, match, seed=1, global_shape=(10, 5), index=index
    )


def test_invalid_thread_environment_takes_no_stream():
    code = (
        "import os, numpy as np, fastxavier\n"
        "fastxavier.manual_seed(3)\n"
        "os.environ['FASTXAVIER_NUM_THREADS'] = 'zero'\n"
        "try:\n"
        "    fastxavier.uniform_(np.empty((4, 4)))\n"
        "except ValueError:\n"
        "    pass\n"
        "print(fastxavier.default_generator().get_state()['next_stream'])\n"
    )
    result = run_python(code, {})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"
