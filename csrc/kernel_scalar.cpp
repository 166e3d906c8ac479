// Portable path: plain C++, the baseline every other path must match bit for bit.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernel.hpp"

namespace fastxavier::scalar {

#include "philox-inl.hpp"
#include "inverse_normal-inl.hpp"
#include "transforms-inl.hpp"

inline void philox_blocks(const RoundKeys& keys, uint64_t stream, uint64_t first_block,
                          size_t nblocks, uint32_t* out) {
  philox_blocks_portable(keys, stream, first_block, nblocks, out);
}

#include "kernel_impl-inl.hpp"

extern const KernelPath kPath = {"scalar", fill_row_impl, philox_blocks_entry};

}  // namespace fastxavier::scalar
