// The one primitive behind every public fill: write elements [first, first + size) of
// a logical stream into an N-dimensional strided array, in C order, on several threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernel.hpp"

namespace fastxavier {

struct ArrayView {
  char* data;
  std::vector<ptrdiff_t> shape;
  std::vector<ptrdiff_t> strides;  // bytes, any sign
  size_t itemsize;
  // Stream index steps per dimension; empty means the C-order index of `shape`. A shard
  // of a larger array passes the global array's steps here.
  std::vector<int64_t> index_strides;
};

// Fills every element of `array`: the element at (i_0, ..., i_n) gets element
// first + sum(i_d * index_strides[d]) of the stream of `spec` (first + its C-order
// index by default). The result does not depend on `threads`, on the strides or on the
// alignment. Runs on the calling thread alone below a size threshold. Does not touch
// Python: the caller may release the GIL around it.
void fill_array(const FillSpec& spec, const ArrayView& array, uint64_t first,
                int threads);

}  // namespace fastxavier
