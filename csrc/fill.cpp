#include "fill.hpp"

#include <unistd.h>

#if defined(FXV_BUILD_X86)
#include <immintrin.h>
#endif

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "dispatch.hpp"
#include "thread_pool.hpp"

namespace fastxavier {
namespace {

// A fill smaller than this runs on the calling thread: waking a worker costs a few
// microseconds, about as long as writing this many elements.
constexpr uint64_t kMinElementsPerThread = 1 << 15;

// Work items per thread of a multithreaded fill.
constexpr uint64_t kSharesPerThread = 4;

// Thread shares start at multiples of this, a whole number of pipeline chunks and of
// normal pairs, so no pair is computed twice at a seam.
constexpr uint64_t kShareAlignment = 4096;

// A row is a run of elements along the last (merged) dimension.
struct RowLayout {
  std::vector<ptrdiff_t> outer_shape;
  std::vector<ptrdiff_t> outer_strides;
  std::vector<int64_t> outer_index_strides;
  ptrdiff_t row_length = 1;
  ptrdiff_t row_stride = 0;
  int64_t row_index_stride = 1;
  size_t itemsize = 0;
};

std::vector<int64_t> c_order_index_strides(const std::vector<ptrdiff_t>& shape) {
  std::vector<int64_t> steps(shape.size());
  int64_t step = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    steps[d] = step;
    step *= static_cast<int64_t>(shape[d]);
  }
  return steps;
}

// Drops dimensions of length 1 and merges neighbours that step through both memory and
// the stream as one, so a C-contiguous array of any rank becomes a single row.
RowLayout collapse(const ArrayView& array) {
  const std::vector<int64_t> index_strides = array.index_strides.empty()
                                                 ? c_order_index_strides(array.shape)
                                                 : array.index_strides;
  std::vector<ptrdiff_t> shape;
  std::vector<ptrdiff_t> strides;
  std::vector<int64_t> steps;
  for (size_t d = 0; d < array.shape.size(); ++d) {
    if (array.shape[d] == 1) continue;
    const bool memory_merges =
        !shape.empty() && strides.back() == array.strides[d] * array.shape[d];
    const bool stream_merges =
        !shape.empty() && steps.back() == index_strides[d] * array.shape[d];
    if (memory_merges && stream_merges) {
      shape.back() *= array.shape[d];
      strides.back() = array.strides[d];
      steps.back() = index_strides[d];
      continue;
    }
    shape.push_back(array.shape[d]);
    strides.push_back(array.strides[d]);
    steps.push_back(index_strides[d]);
  }

  RowLayout layout;
  layout.itemsize = array.itemsize;
  if (shape.empty()) {
    layout.row_stride = static_cast<ptrdiff_t>(array.itemsize);
    return layout;
  }
  layout.row_length = shape.back();
  layout.row_stride = strides.back();
  layout.row_index_stride = steps.back();
  shape.pop_back();
  strides.pop_back();
  steps.pop_back();
  layout.outer_shape = shape;
  layout.outer_strides = strides;
  layout.outer_index_strides = steps;
  return layout;
}

// Start of a row: its address and its stream index relative to `first`.
struct RowStart {
  char* address;
  int64_t index;
};

RowStart row_start(const RowLayout& layout, char* data, uint64_t row) {
  ptrdiff_t offset = 0;
  int64_t index = 0;
  for (size_t d = layout.outer_shape.size(); d-- > 0;) {
    const uint64_t extent = static_cast<uint64_t>(layout.outer_shape[d]);
    const int64_t position = static_cast<int64_t>(row % extent);
    offset += static_cast<ptrdiff_t>(position) * layout.outer_strides[d];
    index += position * layout.outer_index_strides[d];
    row /= extent;
  }
  return {data + offset, index};
}

// Bytes of a tile of rows filled together when rows are adjacent in memory: it stays
// in L2 cache.
constexpr size_t kTileBytes = 256 * 1024;
// Each column of a tile writes this many contiguous bytes: whole cache lines, and few
// enough visits to each page of the destination that TLB misses stay rare.
constexpr size_t kTileRowBytes = 1024;

// True when consecutive rows lie next to each other in memory while a row itself is
// strided: an F-ordered or transposed array. Writing such rows one at a time would
// touch a different cache line per element.
bool rows_are_adjacent(const RowLayout& layout) {
  return layout.row_index_stride == 1 && !layout.outer_shape.empty() &&
         layout.outer_strides.back() == static_cast<ptrdiff_t>(layout.itemsize) &&
         layout.row_stride != static_cast<ptrdiff_t>(layout.itemsize);
}

// Rows that one tile can take starting at `row`: they must stay within the last outer
// dimension, so that they remain adjacent in memory.
uint64_t tile_rows(const RowLayout& layout, uint64_t row) {
  const uint64_t full_tile = kTileRowBytes / layout.itemsize;
  const uint64_t extent = static_cast<uint64_t>(layout.outer_shape.back());
  return std::min(full_tile, extent - row % extent);
}

// Fills `rows` whole adjacent rows starting at `row`: each block of columns is computed
// row by row into a tile in cache, then written column by column, so every column
// writes one run of rows * itemsize contiguous bytes.
void fill_tile(const FillSpec& spec, const KernelPath& path, const RowLayout& layout,
               char* data, uint64_t first, uint64_t row, uint64_t rows) {
  thread_local std::vector<unsigned char> buffer(kTileBytes);
  unsigned char* tile = buffer.data();
  const size_t itemsize = layout.itemsize;
  const uint64_t row_length = static_cast<uint64_t>(layout.row_length);
  const uint64_t columns_per_tile = kTileBytes / (rows * itemsize);
  const RowStart start = row_start(layout, data, row);
  const int64_t row_index_step = layout.outer_index_strides.back();

  for (uint64_t column = 0; column < row_length; column += columns_per_tile) {
    const uint64_t columns = std::min(columns_per_tile, row_length - column);
    for (uint64_t r = 0; r < rows; ++r) {
      const uint64_t index = first + static_cast<uint64_t>(start.index) +
                             r * static_cast<uint64_t>(row_index_step) + column;
      path.fill_row(spec, index, columns,
                    reinterpret_cast<char*>(tile + r * columns * itemsize),
                    static_cast<ptrdiff_t>(itemsize), false);
    }
    for (uint64_t c = 0; c < columns; ++c) {
      char* dst =
          start.address + static_cast<ptrdiff_t>(column + c) * layout.row_stride;
      for (uint64_t r = 0; r < rows; ++r) {
        std::memcpy(dst + r * itemsize, tile + (r * columns + c) * itemsize, itemsize);
      }
    }
  }
}

// Writes the array's elements [begin, end), counted in C order of the array.
void fill_share(const FillSpec& spec, const KernelPath& path, const RowLayout& layout,
                char* data, uint64_t first, uint64_t begin, uint64_t end,
                bool streaming) {
  const uint64_t row_length = static_cast<uint64_t>(layout.row_length);
  const bool adjacent_rows = rows_are_adjacent(layout);
  uint64_t position = begin;
  while (position < end) {
    const uint64_t row = position / row_length;
    const uint64_t column = position % row_length;

    if (adjacent_rows && column == 0) {
      const uint64_t rows =
          std::min(tile_rows(layout, row), (end - position) / row_length);
      if (rows > 1) {
        fill_tile(spec, path, layout, data, first, row, rows);
        position += rows * row_length;
        continue;
      }
    }

    const uint64_t count = std::min(end - position, row_length - column);
    const RowStart start = row_start(layout, data, row);
    char* dst = start.address + static_cast<ptrdiff_t>(column) * layout.row_stride;
    // Unsigned arithmetic wraps like two's complement, and the caller guarantees that
    // every element's final index lies in [0, 2^64).
    const uint64_t index = first + static_cast<uint64_t>(start.index) +
                           column * static_cast<uint64_t>(layout.row_index_stride);
    if (layout.row_index_stride == 1) {
      path.fill_row(spec, index, count, dst, layout.row_stride, streaming);
    } else {
      // Elements of a row that are not neighbours in the stream, one at a time.
      for (uint64_t k = 0; k < count; ++k) {
        path.fill_row(spec, index + k * static_cast<uint64_t>(layout.row_index_stride),
                      1, dst + static_cast<ptrdiff_t>(k) * layout.row_stride,
                      layout.row_stride, false);
      }
    }
    position += count;
  }
  if (streaming) store_fence();
}

// Bytes above which a contiguous fill bypasses the caches: the environment variable
// FASTXAVIER_STREAMING_BYTES if set, else the last-level cache's share of one CPU where
// the OS reports it.
// NOTE: virtual machines may report the host's whole cache to a guest of a few CPUs
// (480 MiB for 2 CPUs was seen). So the share is clamped to [1 MiB, 4 MiB], the range
// of last-level cache per core of common x86 server parts. The clamp is an estimate.
size_t streaming_threshold_bytes() {
  static const size_t threshold = [] {
    const char* text = std::getenv("FASTXAVIER_STREAMING_BYTES");
    if (text != nullptr && *text != '\0') {
      char* end = nullptr;
      const unsigned long long value = std::strtoull(text, &end, 10);
      if (*end == '\0') return static_cast<size_t>(value);
    }
    long cache = -1;
#if defined(_SC_LEVEL3_CACHE_SIZE)
    cache = sysconf(_SC_LEVEL3_CACHE_SIZE);
#endif
    if (cache <= 0) return size_t{8} << 20;
    const size_t share =
        static_cast<size_t>(cache) / static_cast<size_t>(affinity_cpu_count());
    return std::clamp(share, size_t{1} << 20, size_t{4} << 20);
  }();
  return threshold;
}

}  // namespace

void fill_array(const FillSpec& spec, const ArrayView& array, uint64_t first,
                int threads) {
  uint64_t total = 1;
  for (ptrdiff_t extent : array.shape) total *= static_cast<uint64_t>(extent);
  if (total == 0) return;

  const KernelPath& path = active_path();
  const RowLayout layout = collapse(array);
  const bool streaming = total * array.itemsize > streaming_threshold_bytes() &&
                         layout.row_stride == static_cast<ptrdiff_t>(array.itemsize) &&
                         layout.row_index_stride == 1;

  const uint64_t max_useful_threads =
      std::max<uint64_t>(1, total / kMinElementsPerThread);
  const uint64_t nthreads = std::min<uint64_t>(
      static_cast<uint64_t>(std::max(threads, 1)), max_useful_threads);
  if (nthreads == 1) {
    fill_share(spec, path, layout, array.data, first, 0, total, streaming);
    return;
  }

  // Contiguous shares, kSharesPerThread per thread, claimed one at a time: each thread
  // streams through large parts of memory, and a thread whose core is busy elsewhere
  // leaves its remaining shares to the others.
  const uint64_t pieces = nthreads * kSharesPerThread;
  const uint64_t per_piece = (total + pieces - 1) / pieces;
  const uint64_t share =
      (per_piece + kShareAlignment - 1) / kShareAlignment * kShareAlignment;
  const uint64_t shares = (total + share - 1) / share;
  parallel_for(
      static_cast<size_t>(shares), static_cast<size_t>(nthreads), [&](size_t i) {
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
