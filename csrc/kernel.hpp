// The fill primitive and the table of instruction-set paths that implement it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fastxavier {

enum class Distribution : int { kBits = 0, kUniform = 1, kNormal = 2 };
enum class DType : int { kUInt32 = 0, kFloat32 = 1, kFloat64 = 2 };

// What to write: element i of the logical stream is a pure function of these fields
// and i. `param` is the bound of a uniform or the standard deviation of a normal.
struct FillSpec {
  Distribution distribution;
  DType dtype;
  uint64_t seed;
  uint64_t stream;
  double param;
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

namespace scalar { extern const KernelPath kPath; }
#if defined(FXV_BUILD_X86)
namespace avx2 { extern const KernelPath kPath; }
namespace avx512 { extern const KernelPath kPath; }
#endif
#if defined(FXV_BUILD_NEON)
namespace neon { extern const KernelPath kPath; }
#endif

// Non-temporal stores issued by fill_row are ordered before later stores only after
// this fence; each thread calls it once when its share is written.
void store_fence();

}  // namespace fastxavier
