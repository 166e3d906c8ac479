// Philox4x32-10 block function, portable C++.
//
// Source: J. K. Salmon, M. A. Moraes, R. O. Dror and D. E. Shaw, "Parallel Random
// Numbers: As Easy as 1, 2, 3", Proc. SC11 (2011). The multipliers and the Weyl key
// increments below are the paper's; the round is its Philox-4x32 S-box.
//
// An "-inl.hpp" header is included inside an instruction-set namespace by each
// kernel_<isa>.cpp, so every path gets its own copy compiled with its own flags and the
// linker can never merge an AVX-512 body into the scalar path. Such a header includes
// no standard header itself: the including file does that before opening the namespace.

constexpr uint32_t kPhiloxM0 = 0xD2511F53u;
constexpr uint32_t kPhiloxM1 = 0xCD9E8D57u;
constexpr uint32_t kPhiloxW0 = 0x9E3779B9u;  // golden ratio
constexpr uint32_t kPhiloxW1 = 0xBB67AE85u;  // sqrt(3) - 1
constexpr int kPhiloxRounds = 10;

// Round keys of one seed: key[r] is the key of round r, bumped r times.
struct RoundKeys {
  uint32_t k0[kPhiloxRounds];
  uint32_t k1[kPhiloxRounds];
};

inline RoundKeys make_round_keys(uint64_t seed) {
  RoundKeys keys;
  uint32_t k0 = static_cast<uint32_t>(seed);
  uint32_t k1 = static_cast<uint32_t>(seed >> 32);
  for (int r = 0; r < kPhiloxRounds; ++r) {
    keys.k0[r] = k0;
    keys.k1[r] = k1;
    k0 += kPhiloxW0;  // bumpkey, modulo 2^32
    k1 += kPhiloxW1;
  }
  return keys;
}

inline void mulhilo(uint32_t a, uint32_t b, uint32_t* hi, uint32_t* lo) {
  const uint64_t product = static_cast<uint64_t>(a) * b;
  *hi = static_cast<uint32_t>(product >> 32);
  *lo = static_cast<uint32_t>(product);
}

// Encrypts counter ctr[0..3] in place with the ten round keys.
inline void philox4x32_10(uint32_t ctr[4], const RoundKeys& keys) {
  for (int r = 0; r < kPhiloxRounds; ++r) {
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(kPhiloxM0, ctr[0], &hi0, &lo0);
    mulhilo(kPhiloxM1, ctr[2], &hi1, &lo1);
    const uint32_t c1 = ctr[1];
    const uint32_t c3 = ctr[3];
    ctr[0] = hi1 ^ c1 ^ keys.k0[r];
    ctr[1] = lo1;
    ctr[2] = hi0 ^ c3 ^ keys.k1[r];
    ctr[3] = lo0;
  }
}

// Writes the four words of each block first_block .. first_block + nblocks - 1 of
// `stream`, in stream order. The counter of block b is (b low, b high, stream low,
// stream high); b is 64-bit throughout.
inline void philox_blocks_portable(const RoundKeys& keys, uint64_t stream,
                                   uint64_t first_block, size_t nblocks,
                                   uint32_t* out) {
  for (size_t i = 0; i < nblocks; ++i) {
    const uint64_t block = first_block + i;
    uint32_t ctr[4] = {static_cast<uint32_t>(block), static_cast<uint32_t>(block >> 32),
                       static_cast<uint32_t>(stream),
                       static_cast<uint32_t>(stream >> 32)};
    philox4x32_10(ctr, keys);
    out[4 * i + 0] = ctr[0];
    out[4 * i + 1] = ctr[1];
    out[4 * i + 2] = ctr[2];
    out[4 * i + 3] = ctr[3];
  }
}
