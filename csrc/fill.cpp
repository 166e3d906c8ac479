#include "fill.hpp"

#include <unistd.h>

#if defined(FXV_BUILD_X86)
#include <immintrin.h>
#endif

#include <algorithm>
#include <atomic>
#include <vector>

#include "dispatch.hpp"
#include "thread_pool.hpp"

namespace fastxavier {
namespace {

// A fill smaller than this runs on the calling thread: waking a worker costs a few
// microseconds, as long as writing about this many elements.
constexpr uint64_t kMinElementsPerThread = 1 << 15;

// Thread shares start at multiples of this, a whole number of pipeline chunks and of
// normal pairs, so no pair is computed twice at a seam.
constexpr uint64_t kShareAlignment = 4096;

// A row is a run of elements along the last (collapsed) dimension.
struct RowLayout {
  std::vector<ptrdiff_t> outer_shape;
  std::vector<ptrdiff_t> outer_strides;
  ptrdiff_t row_length = 1;
  ptrdiff_t row_stride = 0;
};

// Drops dimensions of length 1 and merges neighbours that step through memory as
// one, so a C-contiguous array of any rank becomes a single row.
RowLayout collapse(const ArrayView& array) {
  std::vector<ptrdiff_t> shape;
  std::vector<ptrdiff_t> strides;
  for (size_t d = 0; d < array.shape.size(); ++d) {
    if (array.shape[d] == 1) continue;
    if (!shape.empty() && strides.back() == array.strides[d] * array.shape[d]) {
      shape.back() *= array.shape[d];
      strides.back() = array.strides[d];
      continue;
    }
    shape.push_back(array.shape[d]);
    strides.push_back(array.strides[d]);
  }

  RowLayout layout;
  if (shape.empty()) {
    layout.row_stride = static_cast<ptrdiff_t>(array.itemsize);
    return layout;
  }
  layout.row_length = shape.back();
  layout.row_stride = strides.back();
  shape.pop_back();
  strides.pop_back();
  layout.outer_shape = shape;
  layout.outer_strides = strides;
  return layout;
}

char* row_address(const RowLayout& layout, char* data, uint64_t row) {
  ptrdiff_t offset = 0;
  for (size_t d = layout.outer_shape.size(); d-- > 0;) {
    const uint64_t extent = static_cast<uint64_t>(layout.outer_shape[d]);
    offset += static_cast<ptrdiff_t>(row % extent) * layout.outer_strides[d];
    row /= extent;
  }
  return data + offset;
}

// Writes the array's elements [begin, end) in C order.
void fill_share(const FillSpec& spec, const KernelPath& path, const RowLayout& layout,
                char* data, uint64_t first, uint64_t begin, uint64_t end, bool streaming) {
  const uint64_t row_length = static_cast<uint64_t>(layout.row_length);
  uint64_t index = begin;
  while (index < end) {
    const uint64_t row = index / row_length;
    const uint64_t column = index % row_length;
    const uint64_t count = std::min(end - index, row_length - column);
    char* dst = row_address(layout, data, row) + static_cast<ptrdiff_t>(column) * layout.row_stride;
    path.fill_row(spec, first + index, count, dst, layout.row_stride, streaming);
    index += count;
  }
  if (streaming) store_fence();
}

// Bytes above which a contiguous fill bypasses the caches: the last-level cache's
// share of one CPU, where the OS reports it.
// NOTE: virtual machines often report the whole host's cache to each guest, so the
// share is clamped to [1 MiB, 32 MiB]; the bounds are estimates, not measured limits.
size_t streaming_threshold_bytes() {
  static const size_t threshold = [] {
    long cache = -1;
#if defined(_SC_LEVEL3_CACHE_SIZE)
    cache = sysconf(_SC_LEVEL3_CACHE_SIZE);
#endif
    if (cache <= 0) return size_t{8} << 20;
    const size_t share = static_cast<size_t>(cache) / static_cast<size_t>(affinity_cpu_count());
    return std::clamp(share, size_t{1} << 20, size_t{32} << 20);
  }();
  return threshold;
}

}  // namespace

void fill_array(const FillSpec& spec, const ArrayView& array, uint64_t first, int threads) {
  uint64_t total = 1;
  for (ptrdiff_t extent : array.shape) total *= static_cast<uint64_t>(extent);
  if (total == 0) return;

  const KernelPath& path = active_path();
  const RowLayout layout = collapse(array);
  const bool streaming = total * array.itemsize > streaming_threshold_bytes() &&
                         layout.row_stride == static_cast<ptrdiff_t>(array.itemsize);

  const uint64_t most_useful = std::max<uint64_t>(1, total / kMinElementsPerThread);
  const uint64_t nthreads = std::min<uint64_t>(static_cast<uint64_t>(std::max(threads, 1)), most_useful);
  if (nthreads == 1) {
    fill_share(spec, path, layout, array.data, first, 0, total, streaming);
    return;
  }

  // Contiguous shares of near-equal size, so each thread streams through its own part
  // of memory.
  const uint64_t per_thread = (total + nthreads - 1) / nthreads;
  const uint64_t share = (per_thread + kShareAlignment - 1) / kShareAlignment * kShareAlignment;
  const uint64_t shares = (total + share - 1) / share;
  parallel_for(static_cast<size_t>(shares), [&](size_t i) {
    const uint64_t begin = i * share;
    const uint64_t end = std::min(total, begin + share);
    fill_share(spec, path, layout, array.data, first, begin, end, streaming);
  });
}

void store_fence() {
#if defined(FXV_BUILD_X86)
  _mm_sfence();
#else
  std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
}

}  // namespace fastxavier
