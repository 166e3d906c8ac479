// Philox4x32-10 on AVX2 and AVX-512 registers.
//
// Layout: each 128-bit lane holds the four counter words of one block, so a 256-bit
// register carries 2 blocks and a 512-bit register 4, and the output leaves in stream
// order with no transpose. During the rounds a lane keeps its words rotated as
// (c0, c3, c2, c1): words 0 and 2 sit at the bottom of the two 64-bit halves, where one
// unsigned 32x32->64 multiply (vpmuludq) forms both products of a round, M0 * c0 and
// M1 * c2, and words 1 and 3 sit where the high halves of those products land.
//
// One round on a rotated lane r, with p = (lo0, hi0, lo1, hi1) the two products:
//   x = p ^ (0, c3 ^ k1, 0, c1 ^ k0)   (one masked ternary-logic op on AVX-512)
//   new rotated lane = (x3, x0, x1, x2)   (one vpshufd)
// which is the standard round (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0) rotated. So a
// round costs a multiply, a logic op and a shuffle per register.
// kInterleave registers are kept in flight so that the multiply latency (about 5
// cycles on recent Intel cores) is hidden behind independent blocks.
//
// Constants are built inside the functions, never at namespace scope, so that loading
// this code on a CPU without the instructions cannot fault before dispatch.

constexpr int kInterleave = 8;

// vpshufd selectors: standard <-> rotated (swap words 1 and 3), and the round's
// (x3, x0, x1, x2).
constexpr int kSwapWords13 = 0x6C;
constexpr int kRoundRotation = 0x93;

#if defined(FXV_HAVE_AVX512)
using VecU32 = __m512i;
constexpr size_t kBlocksPerVec = 4;

// (word0, word1, word2, word3) in every 128-bit lane.
inline VecU32 set_lane_words(uint32_t word0, uint32_t word1, uint32_t word2,
                             uint32_t word3) {
  return _mm512_set4_epi32(static_cast<int>(word3), static_cast<int>(word2),
                           static_cast<int>(word1), static_cast<int>(word0));
}
inline VecU32 mul_even(VecU32 a, VecU32 b) { return _mm512_mul_epu32(a, b); }
template <int Selector>
inline VecU32 shuffle_words(VecU32 v) {
  return _mm512_shuffle_epi32(v, static_cast<_MM_PERM_ENUM>(Selector));
}
// p ^ r ^ key in words 1 and 3 of each lane, p in words 0 and 2.
inline VecU32 xor_odd_words(VecU32 p, VecU32 r, VecU32 key) {
  return _mm512_mask_ternarylogic_epi32(p, 0xAAAA, r, key, 0x96);
}
inline VecU32 first_counters(uint64_t block, uint64_t stream) {
  const auto b = static_cast<long long>(block);
  const auto s = static_cast<long long>(stream);
  return _mm512_set_epi64(s, b + 3, s, b + 2, s, b + 1, s, b);
}
inline VecU32 add_blocks(VecU32 ctr, uint64_t count) {
  const auto n = static_cast<long long>(count);
  return _mm512_add_epi64(ctr, _mm512_set_epi64(0, n, 0, n, 0, n, 0, n));
}
inline void store(uint32_t* out, VecU32 v) { _mm512_storeu_si512(out, v); }
#else
using VecU32 = __m256i;
constexpr size_t kBlocksPerVec = 2;

inline VecU32 set_lane_words(uint32_t word0, uint32_t word1, uint32_t word2,
                             uint32_t word3) {
  const int w0 = static_cast<int>(word0);
  const int w1 = static_cast<int>(word1);
  const int w2 = static_cast<int>(word2);
  const int w3 = static_cast<int>(word3);
  return _mm256_set_epi32(w3, w2, w1, w0, w3, w2, w1, w0);
}
inline VecU32 mul_even(VecU32 a, VecU32 b) { return _mm256_mul_epu32(a, b); }
template <int Selector>
inline VecU32 shuffle_words(VecU32 v) {
  return _mm256_shuffle_epi32(v, Selector);
}
inline VecU32 xor_odd_words(VecU32 p, VecU32 r, VecU32 key) {
  const VecU32 odd =
      _mm256_blend_epi32(_mm256_setzero_si256(), _mm256_xor_si256(r, key), 0xAA);
  return _mm256_xor_si256(p, odd);
}
inline VecU32 first_counters(uint64_t block, uint64_t stream) {
  const auto b = static_cast<long long>(block);
  const auto s = static_cast<long long>(stream);
  return _mm256_set_epi64x(s, b + 1, s, b);
}
inline VecU32 add_blocks(VecU32 ctr, uint64_t count) {
  const auto n = static_cast<long long>(count);
  return _mm256_add_epi64(ctr, _mm256_set_epi64x(0, n, 0, n));
}
inline void store(uint32_t* out, VecU32 v) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), v);
}
#endif

// Encrypts `Count` counter registers in place, round by round, so the rounds of
// different registers overlap in the pipeline. Input and output in stream order.
template <int Count>
inline void philox_rounds(VecU32 (&ctr)[Count], const RoundKeys& keys) {
  const VecU32 multipliers = set_lane_words(kPhiloxM0, 0, kPhiloxM1, 0);
  for (int i = 0; i < Count; ++i) ctr[i] = shuffle_words<kSwapWords13>(ctr[i]);

  for (int r = 0; r < kPhiloxRounds; ++r) {
    const VecU32 key = set_lane_words(0, keys.k1[r], 0, keys.k0[r]);
    for (int i = 0; i < Count; ++i) {
      const VecU32 products = mul_even(ctr[i], multipliers);
      ctr[i] = shuffle_words<kRoundRotation>(xor_odd_words(products, ctr[i], key));
    }
  }

  for (int i = 0; i < Count; ++i) ctr[i] = shuffle_words<kSwapWords13>(ctr[i]);
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
    for (int i = 0; i < kInterleave; ++i)
      store(out + 4 * (done + i * kBlocksPerVec), ctr[i]);
  }

  for (; done < nblocks; done += kBlocksPerVec) {
    VecU32 ctr[1] = {next};
    next = add_blocks(next, kBlocksPerVec);
    philox_rounds(ctr, keys);
    store(out + 4 * done, ctr[0]);
  }
}
