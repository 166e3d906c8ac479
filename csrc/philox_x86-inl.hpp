// Philox4x32-10 on AVX2 and AVX-512 registers.
//
// Layout: each 128-bit lane holds one block's four counter words in stream order, so a
// 256-bit register carries 2 blocks and a 512-bit register 4, and the result is stored
// as it is: no transpose. Seen as 64-bit lanes the register alternates (word 0, word 1)
// and (word 2, word 3), so one unsigned 32x32->64 multiply (vpmuludq) forms both
// products of a round, M0 * word 0 and M1 * word 2, for every block at once.
//
// One round, per 128-bit lane, with p = (lo0, hi0, lo1, hi1) the two products:
//   new counter = (hi1, lo1, hi0, lo0) ^ (c1, 0, c3, 0) ^ (k0, 0, k1, 0)
// Kept in flight: kInterleave registers, so the multiply latency (5 cycles on recent
// Intel cores) is hidden behind independent blocks.
//
// Constants are built inside the functions, never at namespace scope, so that loading
// this code on a CPU without the instructions cannot fault before dispatch.

constexpr int kInterleave = 8;

#if defined(FXV_HAVE_AVX512)
using VecU32 = __m512i;
constexpr size_t kBlocksPerVec = 4;

// (word0, 0, word2, 0) in every 128-bit lane: the multipliers or the round key.
inline VecU32 set_even_words(uint32_t word0, uint32_t word2) {
  return _mm512_set4_epi32(0, static_cast<int>(word2), 0, static_cast<int>(word0));
}
inline VecU32 mul_even(VecU32 a, VecU32 b) { return _mm512_mul_epu32(a, b); }
inline VecU32 shuffle_3210(VecU32 v) { return _mm512_shuffle_epi32(v, _MM_PERM_ABCD); }
inline VecU32 odd_words_to_even(VecU32 v) {
  // (c0, c1, c2, c3) -> (c1, 0, c3, 0)
  return _mm512_maskz_shuffle_epi32(0x5555, v, _MM_PERM_DDBB);
}
inline VecU32 xor3(VecU32 a, VecU32 b, VecU32 c) {
  return _mm512_ternarylogic_epi32(a, b, c, 0x96);
}
inline VecU32 first_counters(uint64_t block, uint64_t stream) {
  return _mm512_set_epi64(static_cast<long long>(stream), static_cast<long long>(block + 3),
                          static_cast<long long>(stream), static_cast<long long>(block + 2),
                          static_cast<long long>(stream), static_cast<long long>(block + 1),
                          static_cast<long long>(stream), static_cast<long long>(block));
}
inline VecU32 add_blocks(VecU32 ctr, uint64_t count) {
  return _mm512_add_epi64(ctr, _mm512_set_epi64(0, static_cast<long long>(count), 0,
                                                 static_cast<long long>(count), 0,
                                                 static_cast<long long>(count), 0,
                                                 static_cast<long long>(count)));
}
inline void store(uint32_t* out, VecU32 v) { _mm512_storeu_si512(out, v); }
#else
using VecU32 = __m256i;
constexpr size_t kBlocksPerVec = 2;

inline VecU32 set_even_words(uint32_t word0, uint32_t word2) {
  const int w0 = static_cast<int>(word0);
  const int w2 = static_cast<int>(word2);
  return _mm256_set_epi32(0, w2, 0, w0, 0, w2, 0, w0);
}
inline VecU32 mul_even(VecU32 a, VecU32 b) { return _mm256_mul_epu32(a, b); }
inline VecU32 shuffle_3210(VecU32 v) { return _mm256_shuffle_epi32(v, 0x1B); }
inline VecU32 odd_words_to_even(VecU32 v) {
  // (c0, c1, c2, c3) -> (c1, 0, c3, 0)
  return _mm256_blend_epi32(_mm256_setzero_si256(), _mm256_shuffle_epi32(v, 0xF5), 0x55);
}
inline VecU32 xor3(VecU32 a, VecU32 b, VecU32 c) {
  return _mm256_xor_si256(_mm256_xor_si256(a, b), c);
}
inline VecU32 first_counters(uint64_t block, uint64_t stream) {
  return _mm256_set_epi64x(static_cast<long long>(stream), static_cast<long long>(block + 1),
                           static_cast<long long>(stream), static_cast<long long>(block));
}
inline VecU32 add_blocks(VecU32 ctr, uint64_t count) {
  return _mm256_add_epi64(ctr, _mm256_set_epi64x(0, static_cast<long long>(count), 0,
                                                 static_cast<long long>(count)));
}
inline void store(uint32_t* out, VecU32 v) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), v);
}
#endif

// Encrypts `Count` counter registers in place, round by round, so the rounds of
// different registers overlap in the pipeline.
template <int Count>
inline void philox_rounds(VecU32 (&ctr)[Count], const RoundKeys& keys) {
  const VecU32 multipliers = set_even_words(kPhiloxM0, kPhiloxM1);
  for (int r = 0; r < kPhiloxRounds; ++r) {
    const VecU32 key = set_even_words(keys.k0[r], keys.k1[r]);
    for (int i = 0; i < Count; ++i) {
      const VecU32 products = mul_even(ctr[i], multipliers);
      ctr[i] = xor3(shuffle_3210(products), odd_words_to_even(ctr[i]), key);
    }
  }
}

// Writes the words of blocks first_block .. first_block + nblocks - 1, rounded up to a
// whole register: `out` must have room for kBlocksPerVec - 1 extra blocks.
inline void philox_blocks(const RoundKeys& keys, uint64_t stream, uint64_t first_block,
                          size_t nblocks, uint32_t* out) {
  VecU32 next = first_counters(first_block, stream);
  size_t done = 0;

  constexpr size_t kWide = kInterleave * kBlocksPerVec;
  for (; done + kWide <= nblocks; done += kWide) {
    VecU32 ctr[kInterleave];
    for (int i = 0; i < kInterleave; ++i) {
      ctr[i] = next;
      next = add_blocks(next, kBlocksPerVec);
    }
    philox_rounds(ctr, keys);
    for (int i = 0; i < kInterleave; ++i) store(out + 4 * (done + i * kBlocksPerVec), ctr[i]);
  }

  for (; done < nblocks; done += kBlocksPerVec) {
    VecU32 ctr[1] = {next};
    next = add_blocks(next, kBlocksPerVec);
    philox_rounds(ctr, keys);
    store(out + 4 * done, ctr[0]);
  }
}
