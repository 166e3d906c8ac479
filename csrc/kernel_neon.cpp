// aarch64 path. Advanced SIMD (NEON) is part of the aarch64 baseline, so the compiler
// vectorizes the transform loops for it with no extra flag.
// NOTE: Philox itself runs the portable block function here; a hand-written NEON
// Philox (vmull_u32 on counter pairs) is not written yet. This path has been run
// under qemu-user (tools/cross_check.sh), not yet on aarch64 hardware.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernel.hpp"

namespace fastxavier::neon {

#include "philox-inl.hpp"
#include "inverse_normal-inl.hpp"
#include "transforms-inl.hpp"

inline void philox_blocks(const RoundKeys& keys, uint64_t stream, uint64_t first_block,
                          size_t nblocks, uint32_t* out) {
  philox_blocks_portable(keys, stream, first_block, nblocks, out);
}

#include "kernel_impl-inl.hpp"

extern const KernelPath kPath = {"neon", fill_row_impl, philox_blocks_entry};

}  // namespace fastxavier::neon
