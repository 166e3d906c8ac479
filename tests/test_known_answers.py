"""Published Philox4x32-10 answers and the stream's golden values, on every layer."""

from pathlib import Path

import numpy as np
import pytest

import fastxavier
from fastxavier import reference

DATA = Path(__file__).parent / "data"


def load_kat():
    cases = []
    for line in (DATA / "philox4x32_10_kat.txt").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        numbers = [int(token, 16) for token in line.split()]
        cases.append((tuple(numbers[0:4]), tuple(numbers[4:6]), numbers[6:10]))
    return cases


KAT = load_kat()


def test_kat_file_has_three_cases():
    assert len(KAT) == 3


@pytest.mark.parametrize("counter,key,expected", KAT)
def test_reference_block_function(counter, key, expected):
    assert reference.philox4x32_10(counter, key) == expected


@pytest.mark.parametrize("counter,key,expected", KAT)
def test_kernel_matches_kat(counter, key, expected):
    # A counter (b low, b high, s low, s high) is word 4b of stream s.
    block = counter[0] | counter[1] << 32
    stream = counter[2] | counter[3] << 32
    seed = key[0] | key[1] << 32
    out = np.zeros(4, dtype=np.uint32)
    fastxavier.bits_(out, seed=seed, stream=stream, start=4 * block)
    assert out.tolist() == expected


def test_golden_words_seed0():
    out = np.zeros(4, dtype=np.uint32)
    fastxavier.bits_(out, seed=0, stream=0, start=4)
    assert out.tolist() == [0xF8E4CCA4, 0x5CB200DB, 0xB1A574EB, 0x097EFF67]


def test_golden_words_seed_stream5():
    out = np.zeros(4, dtype=np.uint32)
    fastxavier.bits_(out, seed=0x0123456789ABCDEF, stream=5)
    assert out.tolist() == [0xB341ED12, 0x7899C9CC, 0x8D35F144, 0x68EBA6FB]


def test_golden_float32_unit_bound():
    # fan_in + fan_out = 6 makes the bound exactly 1.
    out = np.zeros(4, dtype=np.float32)
    fastxavier.uniform_(out, 3, 3, seed=0)
    expected = ["0x1.989fa2p-1", "-0x1.e963a8p-3", "-0x1.0ea14ep-1", "-0x1.93fc92p-1"]
    assert out.tolist() == [float.fromhex(text) for text in expected]


def test_golden_float32_xavier():
    out = np.zeros(4, dtype=np.float32)
    fastxavier.uniform_(out, 256, 512, seed=42)
    expected = [
        -0.0684196725487709,
        0.08283517509698868,
        0.012945662252604961,
        0.06025637313723564,
    ]
    assert out.tolist() == expected


def test_golden_float64_xavier():
    out = np.zeros(4, dtype=np.float64)
    fastxavier.uniform_(out, 256, 512, seed=42)
    expected = [
        0.08283517617254392,
        0.060256378254003304,
        0.057817183681678555,
        0.0803124106963966,
    ]
    assert out.tolist() == expected


@pytest.mark.parametrize("function", ["uniform_", "bits_"])
def test_golden_values_in_reference(function):
    if function == "bits_":
        assert reference.words(0, 0, 4, 4).tolist() == [
            0xF8E4CCA4,
            0x5CB200DB,
            0xB1A574EB,
            0x097EFF67,
        ]
        return
    out = np.zeros(4, dtype=np.float32)
    reference.uniform_(out, 256, 512, seed=42)
    assert out[0] == np.float32(-0.0684196725487709)
    assert out[3] == np.float32(0.06025637313723564)
