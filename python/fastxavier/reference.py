"""Executable specification of the fastxavier stream, in Python and NumPy.

Every function here mirrors one in ``csrc/`` step by step, with the same names, so the
two can be read side by side. The test suite checks that the compiled kernel writes
the same bits as this module. It is slow (NumPy arrays of intermediate values) and
meant for tests, audits and porting, not for filling large arrays.

Stream format, version 1, in brief (``docs/stream.md`` has the full text):

* Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel Random Numbers: As Easy as
  1, 2, 3", SC11, 2011). Key = (seed low 32 bits, seed high 32 bits). Block b of
  stream s has counter (b low, b high, s low, s high). Word i of a stream is word
  i mod 4 of block i // 4.
* Element i of an array (its C-order index) uses word i (float32) or words 2i and
  2i + 1 (float64) for uniforms. Normal pairs (2k, 2k + 1) use words 2k and 2k + 1
  (float32) or 4k .. 4k + 3 (float64).
"""

from __future__ import annotations

import numpy as np

from . import _api, _family

__all__ = [
    "philox4x32_10",
    "philox_blocks",
    "words",
    "uniform_values",
    "normal_values",
    "uniform_",
    "normal_",
    "bits_",
]

PHILOX_M0 = 0xD2511F53
PHILOX_M1 = 0xCD9E8D57
PHILOX_W0 = 0x9E3779B9  # golden ratio
PHILOX_W1 = 0xBB67AE85  # sqrt(3) - 1
PHILOX_ROUNDS = 10
MASK32 = 0xFFFFFFFF


# ---- Philox --------------------------------------------------------------------------


def mulhilo(a: int, b: int) -> tuple[int, int]:
    """Return the high and low 32-bit halves of the 64-bit product a * b."""
    product = a * b
    return product >> 32, product & MASK32


def philox4x32_10(
    counter: tuple[int, int, int, int], key: tuple[int, int]
) -> list[int]:
    """Encrypt one counter (four 32-bit words) with a key (two words), in Python."""
    ctr = list(counter)
    k0, k1 = key
    for _ in range(PHILOX_ROUNDS):
        hi0, lo0 = mulhilo(PHILOX_M0, ctr[0])
        hi1, lo1 = mulhilo(PHILOX_M1, ctr[2])
        ctr = [hi1 ^ ctr[1] ^ k0, lo1, hi0 ^ ctr[3] ^ k1, lo0]
        k0 = (k0 + PHILOX_W0) & MASK32  # bumpkey
        k1 = (k1 + PHILOX_W1) & MASK32
    return ctr


def philox_blocks(seed: int, stream: int, first_block: int, nblocks: int) -> np.ndarray:
    """Return the words of blocks first_block .. first_block + nblocks - 1, in order."""
    blocks = np.arange(nblocks, dtype=np.uint64) + np.uint64(first_block)
    return block_words(seed, stream, blocks).reshape(-1)


def words(seed: int, stream: int, start: int, count: int) -> np.ndarray:
    """Return words start .. start + count - 1 of a stream (start may reach 2^66)."""
    first_block = start // 4
    skip = start % 4
    nblocks = (skip + count + 3) // 4
    return philox_blocks(seed, stream, first_block, nblocks)[skip : skip + count]


def block_words(seed: int, stream: int, blocks: np.ndarray) -> np.ndarray:
    """Return the four words of each block in `blocks` (any order), shape (n, 4)."""
    blocks = np.asarray(blocks, dtype=np.uint64)
    c0 = blocks & np.uint64(MASK32)
    c1 = blocks >> np.uint64(32)
    c2 = np.full(blocks.shape, stream & MASK32, dtype=np.uint64)
    c3 = np.full(blocks.shape, stream >> 32, dtype=np.uint64)
    k0, k1 = seed & MASK32, seed >> 32
    mask = np.uint64(MASK32)
    for _ in range(PHILOX_ROUNDS):
        product0 = c0 * np.uint64(PHILOX_M0)
        product1 = c2 * np.uint64(PHILOX_M1)
        hi0, lo0 = product0 >> np.uint64(32), product0 & mask
        hi1, lo1 = product1 >> np.uint64(32), product1 & mask
        c0, c1, c2, c3 = hi1 ^ c1 ^ np.uint64(k0), lo1, hi0 ^ c3 ^ np.uint64(k1), lo0
        k0 = (k0 + PHILOX_W0) & MASK32
        k1 = (k1 + PHILOX_W1) & MASK32
    return np.stack([c0, c1, c2, c3], axis=-1).astype(np.uint32)


# ---- transforms ----------------------------------------------------------------------
#
# Each step is one IEEE 754 operation on float32 or float64 arrays, as in
# csrc/transforms-inl.hpp; NumPy rounds every operation to nearest-even.

F32 = np.float32
F64 = np.float64


def _f32(text: str) -> np.float32:
    return np.float32(float.fromhex(text))


def _f64(text: str) -> np.float64:
    return np.float64(float.fromhex(text))


def uniform_f32(word: np.ndarray, bound: float) -> np.ndarray:
    scale = F32(bound) * F32(2.0**-24)
    j = (word.view(np.int32) >> np.int32(7)) | np.int32(1)  # arithmetic shift
    return j.astype(F32) * scale


def uniform_f64(low: np.ndarray, high: np.ndarray, bound: float) -> np.ndarray:
    scale = F64(bound) * F64(2.0**-53)
    x = (high.astype(np.uint64) << np.uint64(32)) | low.astype(np.uint64)
    j = (x.view(np.int64) >> np.int64(10)) | np.int64(1)
    return j.astype(F64) * scale


# Natural logarithm on (0, 1]: x = 2^e m, m in [sqrt(2)/2, sqrt(2)), t = m - 1,
# s = t / (2 + t), ln m = 2s + s (2/3 s^2 + 2/5 s^4 + ...), ln 2 split in two parts.

LOG_F32_SERIES = [
    _f32(h)
    for h in ("0x1.555556p-1", "0x1.99999ap-2", "0x1.24924ap-2", "0x1.c71c72p-3")
]
LN2_F32 = _f32("0x1.62e430p-1")

LOG_F64_SERIES = [
    _f64(h)
    for h in (
        "0x1.5555555555555p-1",
        "0x1.999999999999ap-2",
        "0x1.2492492492492p-2",
        "0x1.c71c71c71c71cp-3",
        "0x1.745d1745d1746p-3",
        "0x1.3b13b13b13b14p-3",
        "0x1.1111111111111p-3",
        "0x1.e1e1e1e1e1e1ep-4",
        "0x1.af286bca1af28p-4",
        "0x1.8618618618618p-4",
        "0x1.642c8590b2164p-4",
    )
]
LN2_HIGH_F64 = _f64("0x1.62e42feep-1")
LN2_LOW_F64 = _f64("0x1.a39ef35793c76p-33")


def _split_exponent(bits, mantissa_bits, bias, sqrt2_bits, utype):
    """Return (e, m bits) with x = 2^e m and m in [sqrt(2)/2, sqrt(2))."""
    exponent = (bits >> utype(mantissa_bits)).astype(np.int32) - np.int32(bias)
    mantissa = (bits & utype((1 << mantissa_bits) - 1)) | utype(bias << mantissa_bits)
    above_sqrt2 = mantissa > utype(sqrt2_bits)
    mantissa = np.where(above_sqrt2, mantissa - utype(1 << mantissa_bits), mantissa)
    exponent = np.where(above_sqrt2, exponent + np.int32(1), exponent)
    return exponent, mantissa.astype(utype)


def log_scaled_f32(v: np.ndarray) -> np.ndarray:
    """Return ln(v * 2^-32) for v in [1/2, 2^32]."""
    exponent, mantissa = _split_exponent(
        v.view(np.uint32), 23, 127, 0x3FB504F3, np.uint32
    )
    exponent = exponent - np.int32(32)
    t = mantissa.view(F32) - F32(1.0)
    s = t / (F32(2.0) + t)
    s2 = s * s
    c3, c5, c7, c9 = LOG_F32_SERIES
    series = s2 * (c3 + s2 * (c5 + s2 * (c7 + s2 * c9)))
    log_m = (s + s) + s * series
    return exponent.astype(F32) * LN2_F32 + log_m


def log_unit_f64(x: np.ndarray) -> np.ndarray:
    exponent, mantissa = _split_exponent(
        x.view(np.uint64), 52, 1023, 0x3FF6A09E667F3BCC, np.uint64
    )
    t = mantissa.view(F64) - F64(1.0)
    s = t / (F64(2.0) + t)
    s2 = s * s
    series = LOG_F64_SERIES[-1]
    for coefficient in reversed(LOG_F64_SERIES[:-1]):
        series = coefficient + s2 * series
    log_m = (s + s) + s * (s2 * series)
    e = exponent.astype(F64)
    return e * LN2_HIGH_F64 + (log_m + e * LN2_LOW_F64)


# sin and cos of 2 pi k / 2^bits: k + 2^(bits-3) gives a quadrant q (top two bits) and
# f in [-1/2, 1/2) with angle (pi/2)(q + f). Polynomials in f give sin and cos of
# (pi/2) f: Taylor series for float64, least-squares fits for float32. The quadrant
# then swaps cos and sin and flips signs.

# float32 uses least-squares fits on [-1/2, 1/2] instead of the Taylor series.
SIN_F32 = [
    _f32(h)
    for h in ("0x1.921fb6p+0", "-0x1.4abbb8p-1", "0x1.465e90p-4", "-0x1.2d92c6p-8")
]
COS_F32 = [
    _f32(h)
    for h in ("-0x1.3bd3ccp+0", "0x1.03c1dcp-2", "-0x1.55c57ap-6", "0x1.d9c326p-11")
]
SIN_F64 = [
    _f64(h)
    for h in (
        "0x1.921fb54442d18p+0",
        "-0x1.4abbce625be53p-1",
        "0x1.466bc6775aae2p-4",
        "-0x1.32d2cce62bd86p-8",
        "0x1.50783487ee782p-13",
        "-0x1.e3074fde8871fp-19",
        "0x1.e8f434d018d63p-25",
        "-0x1.6fadb9f155744p-31",
        "0x1.aaec32af93359p-38",
        "-0x1.8a404211f9547p-45",
    )
]
COS_F64 = [
    _f64(h)
    for h in (
        "-0x1.3bd3cc9be45dep+0",
        "0x1.03c1f081b5ac4p-2",
        "-0x1.55d3c7e3cbffap-6",
        "0x1.e1f506891babbp-11",
        "-0x1.a6d1f2a204a8cp-16",
        "0x1.f9d38a3763cc3p-22",
        "-0x1.b6e24f44b128fp-28",
        "0x1.20c62c2f2d7f5p-34",
        "-0x1.2a0c591af8314p-41",
        "0x1.ef6e308d6d1c4p-49",
    )
]


def _rotate_quadrant(quadrant, cos_f, sin_f):
    swap = (quadrant & 1) != 0
    cos_negative = ((quadrant + 1) & 2) != 0  # quadrants 1, 2
    sin_negative = (quadrant & 2) != 0  # quadrants 2, 3
    c = np.where(swap, sin_f, cos_f)
    s = np.where(swap, cos_f, sin_f)
    return np.where(cos_negative, -c, c), np.where(sin_negative, -s, s)


def sincos_turn_f32(w: np.ndarray):
    """Return cos and sin of 2 pi (w >> 8) / 2^24."""
    fraction = (w << np.uint32(2)).view(np.int32) >> np.int32(10)  # bits 8..29, signed
    f = fraction.astype(F32) * F32(2.0**-22)
    turned = w + np.uint32(0x20000000)  # quadrant = turned >> 30
    f2 = f * f
    s1, s3, s5, s7 = SIN_F32
    c2, c4, c6, c8 = COS_F32
    sin_f = f * (s1 + f2 * (s3 + f2 * (s5 + f2 * s7)))
    cos_f = F32(1.0) + f2 * (c2 + f2 * (c4 + f2 * (c6 + f2 * c8)))
    return _rotate_quadrant(turned >> np.uint32(30), cos_f, sin_f)


def _u52_to_f64(x: np.ndarray) -> np.ndarray:
    high = (x >> np.uint64(26)).astype(np.int32).astype(F64)
    low = (x & np.uint64(0x3FFFFFF)).astype(np.int32).astype(F64)
    return high * F64(2.0**26) + low


def sincos_turn_f64(k: np.ndarray):
    shifted = (k + np.uint64(1 << 50)) & np.uint64((1 << 53) - 1)
    quadrant = (shifted >> np.uint64(51)).astype(np.uint32)
    f = _u52_to_f64(shifted & np.uint64((1 << 51) - 1)) * F64(2.0**-51) - F64(0.5)
    f2 = f * f
    sin_f = SIN_F64[-1]
    for coefficient in reversed(SIN_F64[:-1]):
        sin_f = coefficient + f2 * sin_f
    sin_f = f * sin_f
    cos_f = COS_F64[-1]
    for coefficient in reversed(COS_F64[:-1]):
        cos_f = coefficient + f2 * cos_f
    cos_f = F64(1.0) + f2 * cos_f
    return _rotate_quadrant(quadrant, cos_f, sin_f)


def normal_pair_f32(w1: np.ndarray, w2: np.ndarray, std: float):
    """Box-Muller: words (w1, w2) of pair k give elements 2k and 2k + 1."""
    u1_scaled = w1.astype(F32) + F32(0.5)  # u1 * 2^32, u1 in (0, 1]
    radius = np.sqrt(F32(-2.0) * log_scaled_f32(u1_scaled)) * F32(std)
    cos_a, sin_a = sincos_turn_f32(w2)
    return radius * cos_a, radius * sin_a


def normal_pair_f64(w: np.ndarray, std: float):
    """Box-Muller on words w[:, 0..3] of each pair."""
    x1 = (w[:, 1].astype(np.uint64) << np.uint64(32)) | w[:, 0].astype(np.uint64)
    x2 = (w[:, 3].astype(np.uint64) << np.uint64(32)) | w[:, 2].astype(np.uint64)
    y1 = (x1 >> np.uint64(11)) + np.uint64(1)  # in [1, 2^53]
    u1 = (
        (y1 >> np.uint64(26)).astype(np.int32).astype(F64) * F64(2.0**26)
        + (y1 & np.uint64(0x3FFFFFF)).astype(np.int32).astype(F64)
    ) * F64(2.0**-53)
    radius = np.sqrt(F64(-2.0) * log_unit_f64(u1))
    cos_a, sin_a = sincos_turn_f64(x2 >> np.uint64(11))
    scaled = F64(std) * radius
    return scaled * cos_a, scaled * sin_a


# ---- truncated normal ----------------------------------------------------------------


def _inverse_normal_table(*texts):
    return [F64(float.fromhex(text)) for text in texts]


INVERSE_NORMAL_CENTRAL = _inverse_normal_table(
    "0x1.5a490b7731a15p-68",
    "-0x1.dbeccf1c596c1p-70",
    "-0x1.242603ecc64dfp-61",
    "0x1.e00593a36d4b8p-60",
    "0x1.964c14c7e5669p-56",
    "-0x1.a879e14feca93p-53",
    "-0x1.06b76f40aecacp-54",
    "0x1.501a572b2af16p-47",
    "-0x1.fdae8a4c93954p-45",
    "-0x1.028853bd2f0d2p-43",
    "0x1.05c6bd9d338b9p-38",
    "-0x1.42da7457f1ed4p-36",
    "-0x1.50c1aff54493dp-34",
    "0x1.98a57af79a002p-30",
    "-0x1.8faf5546388a4p-28",
    "-0x1.6125a5d8b9a27p-25",
    "0x1.4186be8c34437p-21",
    "-0x1.032ee3ba720ebp-19",
    "-0x1.49627602c03eep-16",
    "0x1.14e8fc42a1299p-12",
    "-0x1.12994fbb84299p-10",
    "-0x1.179b2574060cbp-7",
    "0x1.5bc94440cc7ecp-2",
    "0x1.2b57ec65a8009p+1",
)
INVERSE_NORMAL_TAIL = _inverse_normal_table(
    "-0x1.6eef65e2ebc20p-26",
    "0x1.0eeb68e8d7dafp-30",
    "0x1.8dfaae330f9d0p-23",
    "-0x1.9c09a15891019p-22",
    "-0x1.480c1c7f3bf97p-25",
    "0x1.1c797a575e811p-19",
    "-0x1.7a4dec230af8ap-18",
    "0x1.15ab873204487p-18",
    "0x1.27c17012228efp-16",
    "-0x1.18ade3a3a1b0ep-14",
    "0x1.950df53f0dedbp-14",
    "0x1.1d16f087a6f95p-15",
    "-0x1.073ea0178dc15p-11",
    "0x1.61692231c9fe5p-10",
    "-0x1.38f1f695a0a3ap-9",
    "0x1.cdd2bb93a7d9bp-9",
    "-0x1.5bab4c3adcb3ap-8",
    "0x1.f1c95c5e7a2b8p-8",
    "0x1.6bf14fa6fc347p+0",
    "0x1.171f182e77876p+2",
)
INVERSE_NORMAL_FAR = _inverse_normal_table(
    "0x1.bd223599c980bp-66",
    "-0x1.0ec321d694903p-63",
    "-0x1.2c437c9dd2a99p-60",
    "0x1.a251400a628eap-58",
    "0x1.247b85f2a4718p-56",
    "-0x1.dd803d9be1a02p-54",
    "-0x1.8d2e2ef73ae7bp-53",
    "0x1.5a8d6ce80d01dp-50",
    "0x1.554dc60fd9bbdp-50",
    "-0x1.465015f0dca6bp-47",
    "-0x1.bf9b0219250c9p-48",
    "0x1.c226d08c0ed87p-45",
    "0x1.95fb8f65a74eep-48",
    "-0x1.268ac22646c70p-44",
    "-0x1.e404ed64c9203p-41",
    "0x1.b777c2bc4fb66p-38",
    "-0x1.65683e2f32098p-35",
    "0x1.33397ad60b513p-32",
    "-0x1.02881b042c876p-29",
    "0x1.a47bd79ce3d10p-27",
    "-0x1.4776632693567p-24",
    "0x1.dd27327606c21p-22",
    "-0x1.335dbeed62fa1p-19",
    "0x1.1f50eb4811c91p-17",
    "0x1.2a37c6a8bd70dp-17",
    "-0x1.7c1c45fcd53c3p-11",
    "0x1.6d268efbda9f6p+0",
    "0x1.36db395d44f6cp+3",
)
INVERSE_NORMAL_EXTREME = _inverse_normal_table(
    "-0x1.63a586223e3efp-92",
    "0x1.27cecf4478981p-87",
    "-0x1.3aa2f024ab084p-85",
    "-0x1.aea5911e38c57p-82",
    "-0x1.3f9079235cd36p-77",
    "0x1.3e9087071a37ep-72",
    "-0x1.d71c1434935acp-69",
    "0x1.72af16788c03dp-65",
    "-0x1.834ca13feb0a9p-61",
    "0x1.6f35d85e110fap-57",
    "-0x1.2991ce6dd74fap-53",
    "0x1.86e30d116f10fp-50",
    "-0x1.88b5d13f8f2c5p-48",
    "-0x1.4129956ddd12fp-42",
    "0x1.c7dd2fca9a5bbp-37",
    "-0x1.b22ec776ee48ap-32",
    "0x1.6948d26437e9ep-27",
    "-0x1.1a71182107243p-22",
    "0x1.ad653df636032p-18",
    "-0x1.45765248b3bbcp-13",
    "0x1.6b07fb18f32f7p+0",
    "0x1.958cfacda94a7p+4",
)


CENTRAL_LIMIT = 6.25


def _horner(coefficients, t):
    total = np.full(np.shape(t), coefficients[0], dtype=F64)
    for coefficient in coefficients[1:]:
        total = total * t + coefficient
    return total


def open_unit_from_word(word: np.ndarray) -> np.ndarray:
    """(w + 1/2) 2^-32, exact in float64."""
    return (word.astype(F64) + F64(0.5)) * F64(2.0**-32)


def open_unit_from_words(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """((x >> 12) + 1/2) 2^-52 with x = high * 2^32 + low, exact in float64."""
    x = (
        (high.astype(np.uint64) << np.uint64(32)) | low.astype(np.uint64)
    ) >> np.uint64(12)
    return (_u52_to_f64(x) + F64(0.5)) * F64(2.0**-52)


def truncated_normal_f64(
    v: np.ndarray, truncation, mean: float, std: float
) -> np.ndarray:
    """Invert the normal CDF at p = p_low + span v, then clamp to [lowest, highest]."""
    p_low, q_high, span, lowest, highest = (F64(x) for x in truncation)
    p = p_low + span * v
    q = q_high + span * (F64(1.0) - v)
    y = p - q
    w = -log_unit_f64((F64(4.0) * p) * q)
    root = np.sqrt(np.maximum(w, F64(0.0)))
    g = np.where(
        w < CENTRAL_LIMIT,
        _horner(INVERSE_NORMAL_CENTRAL, w - F64(3.125)),
        np.where(
            w < F64(16.0),
            _horner(INVERSE_NORMAL_TAIL, root - F64(3.25)),
            np.where(
                w < F64(100.0),
                _horner(INVERSE_NORMAL_FAR, root - F64(7.0)),
                _horner(INVERSE_NORMAL_EXTREME, root - F64(18.0)),
            ),
        ),
    )
    value = F64(mean) + F64(std) * (y * g)
    return np.minimum(np.maximum(value, lowest), highest)


# ---- half precision ------------------------------------------------------------------


def f32_to_half_bits(values: np.ndarray, dtype_name: str) -> np.ndarray:
    """Round float32 values to float16 or bfloat16 (nearest-even); return the bits."""
    if dtype_name == "float16":
        return values.astype(np.float16).view(np.uint16)
    bits = values.view(np.uint32)
    rounded = bits + np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))
    return (rounded >> np.uint32(16)).astype(np.uint16)


def pull_inside(bits: np.ndarray, limit: int) -> np.ndarray:
    """Move half values whose magnitude reached the bound's limit one step toward 0."""
    if limit == 0:
        return bits
    reached = (bits & np.uint16(0x7FFF)) >= np.uint16(limit)
    return np.where(reached, bits - np.uint16(1), bits).astype(np.uint16)


# ---- element streams -----------------------------------------------------------------
#
# Each function returns the values of the stream elements whose indices are given, in
# any order, so shards and strided layouts need no special case.

U64 = np.uint64


def _f32_family(dtype_name: str) -> bool:
    return dtype_name in ("float32", "float16", "bfloat16")


def _uniform_words(seed, stream, indices, wide):
    """Return the words of uniform-like elements: shape (n,), or (n, 2) for float64."""
    if wide:
        words = block_words(seed, stream, indices >> U64(1))
        lane = (indices & U64(1)).astype(np.intp) * 2
        rows = np.arange(indices.size)
        return np.stack([words[rows, lane], words[rows, lane + 1]], axis=1)
    words = block_words(seed, stream, indices >> U64(2))
    return words[np.arange(indices.size), (indices & U64(3)).astype(np.intp)]


def _narrow(values32: np.ndarray, dtype_name: str, limit: int = 0) -> np.ndarray:
    """Return float32 values in the output dtype: float32 itself, or half bits."""
    if dtype_name == "float32":
        return values32
    return pull_inside(f32_to_half_bits(values32, dtype_name), limit)


def uniform_at(dtype, bound: float, seed: int, stream: int, indices) -> np.ndarray:
    """Return uniform elements at `indices` (half dtypes as uint16 bits)."""
    name = _api.dtype_name(np.dtype(dtype))
    indices = np.asarray(indices, dtype=U64)
    if name == "float64":
        w = _uniform_words(seed, stream, indices, wide=True)
        return uniform_f64(w[:, 0], w[:, 1], bound)
    values32 = uniform_f32(_uniform_words(seed, stream, indices, wide=False), bound)
    limit = _api.half_limit(np.dtype(dtype), bound) if name != "float32" else 0
    return _narrow(values32, name, limit)


def normal_at(dtype, std: float, seed: int, stream: int, indices, mean: float = 0.0):
    """Return normal elements at `indices`; a pair cut by the selection is computed
    whole and half kept, as the kernel does."""
    name = _api.dtype_name(np.dtype(dtype))
    indices = np.asarray(indices, dtype=U64)
    pairs = indices >> U64(1)
    second = (indices & U64(1)).astype(bool)
    if name == "float64":
        words = block_words(seed, stream, pairs)
        even, odd = normal_pair_f64(words, std)
        values = np.where(second, odd, even)
        return values + F64(mean) if mean != 0.0 else values
    words = block_words(seed, stream, pairs >> U64(1))
    lane = (pairs & U64(1)).astype(np.intp) * 2
    rows = np.arange(indices.size)
    even, odd = normal_pair_f32(words[rows, lane], words[rows, lane + 1], std)
    values = np.where(second, odd, even)
    if mean != 0.0:
        values = values + F32(mean)
    return _narrow(values, name)


def truncated_normal_at(
    dtype, mean: float, std: float, truncation, seed: int, stream: int, indices
) -> np.ndarray:
    """Return truncated normal elements at `indices` (half dtypes as uint16 bits)."""
    name = _api.dtype_name(np.dtype(dtype))
    indices = np.asarray(indices, dtype=U64)
    if name == "float64":
        w = _uniform_words(seed, stream, indices, wide=True)
        v = open_unit_from_words(w[:, 0], w[:, 1])
        return truncated_normal_f64(v, truncation, mean, std)
    v = open_unit_from_word(_uniform_words(seed, stream, indices, wide=False))
    values32 = truncated_normal_f64(v, truncation, mean, std).astype(F32)
    return _narrow(values32, name)


def uniform_values(dtype, bound: float, seed: int, stream: int, first: int, count: int):
    """Return elements first .. first + count - 1 of a uniform stream."""
    return uniform_at(dtype, bound, seed, stream, _range(first, count))


def normal_values(
    dtype, std: float, seed: int, stream: int, first: int, count: int, mean: float = 0.0
):
    """Return elements first .. first + count - 1 of a normal stream."""
    return normal_at(dtype, std, seed, stream, _range(first, count), mean)


def _range(first: int, count: int) -> np.ndarray:
    return np.arange(count, dtype=U64) + U64(first)


# ---- public fills, same arguments as the package's -----------------------------------


def stream_indices(array: np.ndarray, placement) -> np.ndarray:
    """Return the stream index of every element of `array`, in C order."""
    if placement.index_strides is None:
        return _range(placement.first, array.size)
    # uint64 arithmetic wraps like the kernel's: negative steps become their two's
    # complement, and every element's final index lies in [0, 2^64).
    grids = np.indices(array.shape, dtype=np.int64).reshape(array.ndim, -1).astype(U64)
    steps = np.array(placement.index_strides, dtype=np.int64).astype(U64).reshape(-1, 1)
    offsets = (grids * steps).sum(axis=0, dtype=U64) if array.ndim else np.zeros(1, U64)
    return offsets + U64(placement.first)


def _write(array: np.ndarray, values: np.ndarray) -> np.ndarray:
    # Half dtypes arrive as uint16 bits; assigning through a C-order reshape of the
    # index space writes every layout in logical C order.
    if values.dtype == np.uint16:
        array.view(np.uint16)[...] = values.reshape(array.shape)
    else:
        array[...] = values.reshape(array.shape)
    return array


def uniform_(
    array,
    fan_in=None,
    fan_out=None,
    *,
    gain=1.0,
    seed=None,
    stream=0,
    threads=None,
    global_shape=None,
    index=None,
):
    """Reference of :func:`fastxavier.uniform_`: same checks, same values."""
    call = _api.prepare_xavier(
        array, fan_in, fan_out, gain, seed, stream, threads, global_shape, index
    )
    if call is None:
        return array
    bound = call.param
    indices = stream_indices(array, call.placement)
    return _write(
        array, uniform_at(array.dtype, bound, call.key.seed, call.key.stream, indices)
    )


def normal_(
    array,
    fan_in=None,
    fan_out=None,
    *,
    gain=1.0,
    seed=None,
    stream=0,
    threads=None,
    global_shape=None,
    index=None,
):
    """Reference of :func:`fastxavier.normal_`: same checks, same values."""
    call = _api.prepare_xavier(
        array,
        fan_in,
        fan_out,
        gain,
        seed,
        stream,
        threads,
        global_shape,
        index,
        _api._NORMAL,
    )
    if call is None:
        return array
    std = call.param
    indices = stream_indices(array, call.placement)
    return _write(
        array, normal_at(array.dtype, std, call.key.seed, call.key.stream, indices)
    )


def trunc_normal_(
    array,
    mean=0.0,
    std=1.0,
    a=-2.0,
    b=2.0,
    *,
    seed=None,
    stream=0,
    threads=None,
    global_shape=None,
    index=None,
):
    """Reference of :func:`fastxavier.trunc_normal_`: same checks, same values."""
    _api.check_float_array(array)
    mean, std, a, b = _api.check_truncation(mean, std, a, b)
    placement = _api.placement_of(array, global_shape, index)
    if array.size == 0:
        _api.check_threads(threads)
        return array
    key = _api.resolve_key(seed, stream, threads)
    truncation = _api.truncation_constants(array.dtype, mean, std, a, b)
    indices = stream_indices(array, placement)
    return _write(
        array,
        truncated_normal_at(
            array.dtype, mean, std, truncation, key.seed, key.stream, indices
        ),
    )


def bits_(array, *, seed, stream=0, start=0, threads=None):
    """Reference of :func:`fastxavier.bits_`: same checks, same words."""
    call = _api.prepare_bits(array, seed, stream, start, threads)
    if array.size == 0:
        return array
    return _write(array, words(call.seed, call.stream, call.start, array.size))


# ---- the initializer family ----------------------------------------------------------
#
# Every scheme takes its distribution and parameter from the plan functions that the
# package's fills use (fastxavier._family), so only the values come from here.


def fill_uniform(array, bound, key, placement):
    """Reference of ``_api.fill_uniform``: U(-bound, bound) at the placement."""
    indices = stream_indices(array, placement)
    return _write(array, uniform_at(array.dtype, bound, key.seed, key.stream, indices))


def fill_normal(array, std, key, placement, mean=0.0):
    """Reference of ``_api.fill_normal``: N(mean, std^2) at the placement."""
    indices = stream_indices(array, placement)
    return _write(
        array, normal_at(array.dtype, std, key.seed, key.stream, indices, mean)
    )


def fill_truncated_normal(array, mean, std, lower, upper, key, placement):
    """Reference of ``_api.fill_truncated_normal``: N(mean, std^2) on [lower, upper]."""
    truncation = _api.truncation_constants(array.dtype, mean, std, lower, upper)
    indices = stream_indices(array, placement)
    return _write(
        array,
        truncated_normal_at(
            array.dtype, mean, std, truncation, key.seed, key.stream, indices
        ),
    )


def apply_plan(array, plan):
    """Reference of ``_family.apply_kernel``: fill `array` by a plan (None: empty)."""
    if plan is None:
        return array
    if plan.distribution == "uniform":
        return fill_uniform(array, plan.parameter, plan.key, plan.placement)
    if plan.distribution == "normal":
        return fill_normal(array, plan.parameter, plan.key, plan.placement)
    lower, upper = plan.truncation_interval()
    return fill_truncated_normal(
        array, 0.0, plan.parameter, lower, upper, plan.key, plan.placement
    )


def kaiming_uniform_(
    array,
    a=0,
    mode="fan_in",
    nonlinearity="leaky_relu",
    *,
    fan_in=None,
    fan_out=None,
    seed=None,
    stream=0,
    threads=None,
    global_shape=None,
    index=None,
):
    """Reference of :func:`fastxavier.kaiming_uniform_`: same checks, same values."""
    args = _family.FillArgs(fan_in, fan_out, seed, stream, threads, global_shape, index)
    plan = _family.plan_kaiming(array, a, mode, nonlinearity, "uniform", args)
    return apply_plan(array, plan)


def kaiming_normal_(
    array,
    a=0,
    mode="fan_in",
    nonlinearity="leaky_relu",
    *,
    fan_in=None,
    fan_out=None,
    seed=None,
    stream=0,
    threads=None,
    global_shape=None,
    index=None,
):
    """Reference of :func:`fastxavier.kaiming_normal_`: same checks, same values."""
    args = _family.FillArgs(fan_in, fan_out, seed, stream, threads, global_shape, index)
    plan = _family.plan_kaiming(array, a, mode, nonlinearity, "normal", args)
    return apply_plan(array, plan)


def variance_scaling_(
    array,
    scale,
    mode,
    distribution,
    *,
    in_axis=-2,
    out_axis=-1,
    batch_axis=(),
    layout="jax",
    fan_in=None,
    fan_out=None,
    seed=None,
    stream=0,
    threads=None,
    global_shape=None,
    index=None,
):
    """Reference of :func:`fastxavier.variance_scaling_`: same checks, same values."""
    args = _family.FillArgs(fan_in, fan_out, seed, stream, threads, global_shape, index)
    layout_args = (layout, in_axis, out_axis, batch_axis)
    plan = _family.plan_variance_scaling(
        array, scale, mode, distribution, layout_args, args
    )
    return apply_plan(array, plan)


def _jax_scheme_(name, array, **kwargs):
    scale, mode, distribution = _family.JAX_SCHEMES[name]
    return variance_scaling_(array, scale, mode, distribution, **kwargs)


def he_uniform_(
    array,
    *,
    in_axis=-2,
    out_axis=-1,
    batch_axis=(),
    layout="jax",
    fan_in=None,
    fan_out=None,
    seed=None,
    stream=0,
    threads=None,
    global_shape=None,
    index=None,
):
    """Reference of :func:`fastxavier.he_uniform_`: same checks, same values."""
    return _jax_scheme_(
        "he_uniform",
        array,
        in_axis=in_axis,
        out_axis=out_axis,
        batch_axis=batch_axis,
        layout=layout,
        fan_in=fan_in,
        fan_out=fan_out,
        seed=seed,
        stream=stream,
        threads=threads,
        global_shape=global_shape,
        index=index,
    )


def he_normal_(
    array,
    *,
    in_axis=-2,
    out_axis=-1,
    batch_axis=(),
    layout="jax",
    fan_in=None,
    fan_out=None,
    seed=None,
    stream=0,
    threads=None,
    global_shape=None,
    index=None,
):
    """Reference of :func:`fastxavier.he_normal_`: same checks, same values."""
    return _jax_scheme_(
        "he_normal",
        array,
        in_axis=in_axis,
        out_axis=out_axis,
        batch_axis=batch_axis,
        layout=layout,
        fan_in=fan_in,
        fan_out=fan_out,
        seed=seed,
        stream=stream,
        threads=threads,
        global_shape=global_shape,
        index=index,
    )


def lecun_uniform_(
    array,
    *,
    in_axis=-2,
    out_axis=-1,
    batch_axis=(),
    layout="jax",
    fan_in=None,
    fan_out=None,
    seed=None,
    stream=0,
    threads=None,
    global_shape=None,
    index=None,
):
    """Reference of :func:`fastxavier.lecun_uniform_`: same checks, same values."""
    return _jax_scheme_(
        "lecun_uniform",
        array,
        in_axis=in_axis,
        out_axis=out_axis,
        batch_axis=batch_axis,
        layout=layout,
        fan_in=fan_in,
        fan_out=fan_out,
        seed=seed,
        stream=stream,
        threads=threads,
        global_shape=global_shape,
        index=index,
    )


def lecun_normal_(
    array,
    *,
    in_axis=-2,
    out_axis=-1,
    batch_axis=(),
    layout="jax",
    fan_in=None,
    fan_out=None,
    seed=None,
    stream=0,
    threads=None,
    global_shape=None,
    index=None,
):
    """Reference of :func:`fastxavier.lecun_normal_`: same checks, same values."""
    return _jax_scheme_(
        "lecun_normal",
        array,
        in_axis=in_axis,
        out_axis=out_axis,
        batch_axis=batch_axis,
        layout=layout,
        fan_in=fan_in,
        fan_out=fan_out,
        seed=seed,
        stream=stream,
        threads=threads,
        global_shape=global_shape,
        index=index,
    )


def glorot_uniform_(
    array,
    *,
    in_axis=-2,
    out_axis=-1,
    batch_axis=(),
    layout="jax",
    fan_in=None,
    fan_out=None,
    seed=None,
    stream=0,
    threads=None,
    global_shape=None,
    index=None,
):
    """Reference of :func:`fastxavier.glorot_uniform_`: same checks, same values."""
    return _jax_scheme_(
        "glorot_uniform",
        array,
        in_axis=in_axis,
        out_axis=out_axis,
        batch_axis=batch_axis,
        layout=layout,
        fan_in=fan_in,
        fan_out=fan_out,
        seed=seed,
        stream=stream,
        threads=threads,
        global_shape=global_shape,
        index=index,
    )


def glorot_normal_(
    array,
    *,
    in_axis=-2,
    out_axis=-1,
    batch_axis=(),
    layout="jax",
    fan_in=None,
    fan_out=None,
    seed=None,
    stream=0,
    threads=None,
    global_shape=None,
    index=None,
):
    """Reference of :func:`fastxavier.glorot_normal_`: same checks, same values."""
    return _jax_scheme_(
        "glorot_normal",
        array,
        in_axis=in_axis,
        out_axis=out_axis,
        batch_axis=batch_axis,
        layout=layout,
        fan_in=fan_in,
        fan_out=fan_out,
        seed=seed,
        stream=stream,
        threads=threads,
        global_shape=global_shape,
        index=index,
    )


def variance_scaling(
    shape,
    scale,
    mode,
    distribution,
    dtype=np.float32,
    *,
    seed=None,
    stream=0,
    threads=None,
    in_axis=-2,
    out_axis=-1,
    batch_axis=(),
    layout="jax",
    fan_in=None,
    fan_out=None,
    global_shape=None,
    index=None,
):
    """Reference of :func:`fastxavier.variance_scaling`: same checks, same values."""
    return variance_scaling_(
        _family.allocate(shape, dtype),
        scale,
        mode,
        distribution,
        in_axis=in_axis,
        out_axis=out_axis,
        batch_axis=batch_axis,
        layout=layout,
        fan_in=fan_in,
        fan_out=fan_out,
        seed=seed,
        stream=stream,
        threads=threads,
        global_shape=global_shape,
        index=index,
    )


def _jax_scheme(name, shape, dtype, **kwargs):
    scale, mode, distribution = _family.JAX_SCHEMES[name]
    return variance_scaling(shape, scale, mode, distribution, dtype, **kwargs)


def he_uniform(
    shape,
    dtype=np.float32,
    *,
    seed=None,
    stream=0,
    threads=None,
    in_axis=-2,
    out_axis=-1,
    batch_axis=(),
    layout="jax",
    fan_in=None,
    fan_out=None,
    global_shape=None,
    index=None,
):
    """Reference of :func:`fastxavier.he_uniform`: same checks, same values."""
    return _jax_scheme(
        "he_uniform",
        shape,
        dtype,
        seed=seed,
        stream=stream,
        threads=threads,
        in_axis=in_axis,
        out_axis=out_axis,
        batch_axis=batch_axis,
        layout=layout,
        fan_in=fan_in,
        fan_out=fan_out,
        global_shape=global_shape,
        index=index,
    )


def he_normal(
    shape,
    dtype=np.float32,
    *,
    seed=None,
    stream=0,
    threads=None,
    in_axis=-2,
    out_axis=-1,
    batch_axis=(),
    layout="jax",
    fan_in=None,
    fan_out=None,
    global_shape=None,
    index=None,
):
    """Reference of :func:`fastxavier.he_normal`: same checks, same values."""
    return _jax_scheme(
        "he_normal",
        shape,
        dtype,
        seed=seed,
        stream=stream,
        threads=threads,
        in_axis=in_axis,
        out_axis=out_axis,
        batch_axis=batch_axis,
        layout=layout,
        fan_in=fan_in,
        fan_out=fan_out,
        global_shape=global_shape,
        index=index,
    )


def lecun_uniform(
    shape,
    dtype=np.float32,
    *,
    seed=None,
    stream=0,
    threads=None,
    in_axis=-2,
    out_axis=-1,
    batch_axis=(),
    layout="jax",
    fan_in=None,
    fan_out=None,
    global_shape=None,
    index=None,
):
    """Reference of :func:`fastxavier.lecun_uniform`: same checks, same values."""
    return _jax_scheme(
        "lecun_uniform",
        shape,
        dtype,
        seed=seed,
        stream=stream,
        threads=threads,
        in_axis=in_axis,
        out_axis=out_axis,
        batch_axis=batch_axis,
        layout=layout,
        fan_in=fan_in,
        fan_out=fan_out,
        global_shape=global_shape,
        index=index,
    )


def lecun_normal(
    shape,
    dtype=np.float32,
    *,
    seed=None,
    stream=0,
    threads=None,
    in_axis=-2,
    out_axis=-1,
    batch_axis=(),
    layout="jax",
    fan_in=None,
    fan_out=None,
    global_shape=None,
    index=None,
):
    """Reference of :func:`fastxavier.lecun_normal`: same checks, same values."""
    return _jax_scheme(
        "lecun_normal",
        shape,
        dtype,
        seed=seed,
        stream=stream,
        threads=threads,
        in_axis=in_axis,
        out_axis=out_axis,
        batch_axis=batch_axis,
        layout=layout,
        fan_in=fan_in,
        fan_out=fan_out,
        global_shape=global_shape,
        index=index,
    )


def glorot_uniform(
    shape,
    dtype=np.float32,
    *,
    seed=None,
    stream=0,
    threads=None,
    in_axis=-2,
    out_axis=-1,
    batch_axis=(),
    layout="jax",
    fan_in=None,
    fan_out=None,
    global_shape=None,
    index=None,
):
    """Reference of :func:`fastxavier.glorot_uniform`: same checks, same values."""
    return _jax_scheme(
        "glorot_uniform",
        shape,
        dtype,
        seed=seed,
        stream=stream,
        threads=threads,
        in_axis=in_axis,
        out_axis=out_axis,
        batch_axis=batch_axis,
        layout=layout,
        fan_in=fan_in,
        fan_out=fan_out,
        global_shape=global_shape,
        index=index,
    )


def glorot_normal(
    shape,
    dtype=np.float32,
    *,
    seed=None,
    stream=0,
    threads=None,
    in_axis=-2,
    out_axis=-1,
    batch_axis=(),
    layout="jax",
    fan_in=None,
    fan_out=None,
    global_shape=None,
    index=None,
):
    """Reference of :func:`fastxavier.glorot_normal`: same checks, same values."""
    return _jax_scheme(
        "glorot_normal",
        shape,
        dtype,
        seed=seed,
        stream=stream,
        threads=threads,
        in_axis=in_axis,
        out_axis=out_axis,
        batch_axis=batch_axis,
        layout=layout,
        fan_in=fan_in,
        fan_out=fan_out,
        global_shape=global_shape,
        index=index,
    )


__all__ += [
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
]
