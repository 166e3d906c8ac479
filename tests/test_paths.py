"""Every instruction-set path and thread count writes the same bytes."""

import hashlib
import json

import numpy as np
import pytest
from _support import run_python

import fastxavier
from fastxavier import reference

# Writes a digest of many fills, covering every distribution, dtype, odd sizes, odd
# offsets and a large multithreaded fill, on the path named by FASTXAVIER_ISA.
DIGEST_SCRIPT = """
import hashlib, json, numpy as np, fastxavier
from fastxavier import _core
digests = {"isa": fastxavier.isa()}
for dtype in (np.float32, np.float64):
    for distribution in (1, 2):
        for first, count in ((0, 1), (1, 63), (3, 1025), (4095, 5003), (2**40 + 1, 777),
                             (0, 3_000_001)):
            out = np.empty(count, dtype=dtype)
            _core.fill(out, distribution, 12345, 678, 2, param=0.75, first=first)
            key = f"{np.dtype(dtype).name}-{distribution}-{first}-{count}"
            digests[key] = hashlib.sha256(out.tobytes()).hexdigest()
words = np.empty(100_003, dtype=np.uint32)
fastxavier.bits_(words, seed=2**64 - 1, stream=2**63, start=2**34 + 3)
digests["bits"] = hashlib.sha256(words.tobytes()).hexdigest()
print(json.dumps(digests))
"""


def path_digests(isa):
    result = run_python(DIGEST_SCRIPT, {"FASTXAVIER_ISA": isa})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def scalar_digests():
    return path_digests("scalar")


@pytest.mark.parametrize("isa", fastxavier.supported_isas())
def test_path_matches_scalar(isa, scalar_digests):
    digests = path_digests(isa)
    assert digests.pop("isa") == isa
    expected = dict(scalar_digests)
    expected.pop("isa")
    mismatched = sorted(key for key in expected if digests[key] != expected[key])
    assert mismatched == [], f"path {isa} differs from scalar on {mismatched}"


def test_forced_unknown_path_fails():
    result = run_python("import fastxavier", {"FASTXAVIER_ISA": "sse9"})
    assert result.returncode != 0
    assert "FASTXAVIER_ISA='sse9' is not a known path" in result.stderr


def test_default_path_is_widest():
    result = run_python(
        "import fastxavier; print(fastxavier.isa())", {"FASTXAVIER_ISA": ""}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == fastxavier.supported_isas()[-1]


@pytest.mark.parametrize("function", ["uniform_", "normal_"])
@pytest.mark.parametrize("threads", [2, 3, 7], ids=lambda t: f"threads={t}")
def test_thread_counts_match(function, threads, float_dtype):
    size = 1_000_003
    single = np.empty(size, dtype=float_dtype)
    many = np.full(size, np.nan, dtype=float_dtype)
    getattr(fastxavier, function)(single, 100, 300, seed=8, threads=1)
    getattr(fastxavier, function)(many, 100, 300, seed=8, threads=threads)
    assert single.tobytes() == many.tobytes()


def test_default_threads_setting():
    fastxavier.set_num_threads(3)
    assert fastxavier.get_num_threads() == 3


def test_environment_sets_threads():
    code = "import fastxavier; print(fastxavier.get_num_threads())"
    result = run_python(code, {"FASTXAVIER_NUM_THREADS": "5"})
    assert result.stdout.strip() == "5"


@pytest.mark.parametrize(
    "block", [2**32 - 1, 2**32, 2**64 - 3], ids=["2^32-1", "2^32", "2^64-3"]
)
def test_block_index_edges(block):
    out = np.empty(12, dtype=np.uint32)
    start = 4 * block - 2
    fastxavier.bits_(out, seed=3, stream=4, start=start)
    assert out.tolist() == reference.words(3, 4, start, 12).tolist()


def test_last_words_of_stream():
    out = np.empty(6, dtype=np.uint32)
    fastxavier.bits_(out, seed=1, stream=1, start=2**66 - 6)
    assert out.tolist() == reference.words(1, 1, 2**66 - 6, 6).tolist()


def test_block_above_2_32_differs_from_wrapped():
    # A counter truncated to 32 bits would repeat block 0 at block 2^32.
    high = np.empty(4, dtype=np.uint32)
    low = np.empty(4, dtype=np.uint32)
    fastxavier.bits_(high, seed=0, start=4 * 2**32)
    fastxavier.bits_(low, seed=0, start=0)
    assert high.tolist() != low.tolist()


@pytest.mark.parametrize("seed", [0, 2**32, 2**64 - 1])
@pytest.mark.parametrize("stream", [0, 2**32, 2**64 - 1])
def test_seed_and_stream_edges(seed, stream, float_dtype):
    out = np.empty((37, 11), dtype=float_dtype)
    expected = np.empty((37, 11), dtype=float_dtype)
    fastxavier.normal_(out, seed=seed, stream=stream)
    reference.normal_(expected, seed=seed, stream=stream)
    assert out.tobytes() == expected.tobytes()


def test_seeds_differ_in_high_word():
    a = np.empty(8, dtype=np.uint32)
    b = np.empty(8, dtype=np.uint32)
    fastxavier.bits_(a, seed=1)
    fastxavier.bits_(b, seed=1 + 2**32)
    assert hashlib.sha256(a).digest() != hashlib.sha256(b).digest()
