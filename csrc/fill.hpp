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
};

// Fills every element of `array`: the element at C-order index i gets element
// first + i of the stream of `spec`. The result does not depend on `threads`, on the
// strides or on the alignment. Runs on the calling thread alone below a size threshold.
// Does not touch Python: the caller may release the GIL around it.
void fill_array(const FillSpec& spec, const ArrayView& array, uint64_t first, int threads);

}  // namespace fastxavier
