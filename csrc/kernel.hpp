// The fill primitive and the table of instruction-set paths that implement it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fastxavier {

enum class Distribution : int {
  kBits = 0,
  kUniform = 1,
  kNormal = 2,
  kTruncatedNormal = 3
};
enum class DType : int {
  kUInt32 = 0,
  kFloat32 = 1,
  kFloat64 = 2,
  kFloat16 = 3,
  kBFloat16 = 4
};

// Per-call constants of a truncated normal, defined in transforms-inl.hpp's terms.
struct TruncatedNormalSpec {
  double p_low;
  double q_high;
  double span;
  double lowest;
  double highest;
};

// Description of a fill: element i of the logical stream is a pure function of these
// fields and i.
struct FillSpec {
  Distribution distribution;
  DType dtype;
  uint64_t seed;
  uint64_t stream;
  // Uniform: the bound a. Normal and truncated normal: the standard deviation.
  double param;
  // Normal and truncated normal: added to every value when nonzero.
  double mean;
  // float16 and bfloat16 uniforms: bits of the smallest positive value of the dtype at
  // or above the bound. A value whose magnitude reaches it steps toward zero.
  uint16_t half_limit;
  TruncatedNormalSpec truncation;
  // Added to every block index: a word stream read from word 4 * block_base + i.
  // Lets bits_ reach blocks past 2^64 / 4 without a 66-bit element index.
  uint64_t block_base;
};

// Writes elements first .. first + count - 1 of the stream to dst, dst + stride, ...
// (stride in bytes, any sign, any alignment). With `streaming`, contiguous writes use
// non-temporal stores where the path has them; the caller then fences.
using FillRowFn = void (*)(const FillSpec& spec, uint64_t first, uint64_t count,
                           char* dst, ptrdiff_t stride, bool streaming);

// Writes the words of nblocks Philox blocks starting at first_block, rounded up to the
// path's register width: out needs room for nblocks + 3 blocks.
using PhiloxBlocksFn = void (*)(uint64_t seed, uint64_t stream, uint64_t first_block,
                                size_t nblocks, uint32_t* out);

struct KernelPath {
  const char* name;
  FillRowFn fill_row;
  PhiloxBlocksFn philox_blocks;
};

namespace scalar {
extern const KernelPath kPath;
}
#if defined(FXV_BUILD_X86)
namespace avx2 {
extern const KernelPath kPath;
}
namespace avx512 {
extern const KernelPath kPath;
}
#endif
#if defined(FXV_BUILD_NEON)
namespace neon {
extern const KernelPath kPath;
}
#endif

// Non-temporal stores issued by fill_row are ordered before later stores only after
// this fence; each thread calls it once when its share is written.
void store_fence();

}  // namespace fastxavier
