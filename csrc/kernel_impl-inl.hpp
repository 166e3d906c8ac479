// The fill pipeline of one instruction-set path, run chunk by chunk in L1 cache:
//   1. Philox writes the raw words of the chunk to `words`,
//   2. a transform loop turns them into values in `values`,
//   3. the values go to the destination (non-temporal stores when asked).
// Included inside namespace fastxavier::<isa> after philox-inl.hpp and
// transforms-inl.hpp, and after the path's philox_blocks is defined.

// Elements per chunk: 8 KiB of float64 values plus their words stay in L1 cache.
constexpr size_t kChunk = 1024;

// How elements map to words: an element group of kGroupElements elements uses
// kGroupWords consecutive words; group g starts at word g * kGroupWords.
struct GroupShape {
  uint32_t elements;
  uint32_t words;
  uint32_t element_bytes;
};

inline GroupShape group_shape(const FillSpec& spec) {
  const bool wide = spec.dtype == DType::kFloat64;
  const uint32_t bytes = wide ? 8 : 4;
  if (spec.distribution == Distribution::kNormal) return {2, wide ? 4u : 2u, bytes};
  return {1, wide ? 2u : 1u, bytes};
}

inline void transform_chunk(const FillSpec& spec, const uint32_t* words, size_t groups,
                            void* values) {
  if (spec.distribution == Distribution::kBits) {
    std::memcpy(values, words, groups * sizeof(uint32_t));
    return;
  }
  if (spec.dtype == DType::kFloat32) {
    float* out = static_cast<float*>(values);
    if (spec.distribution == Distribution::kUniform) {
      const float scale = static_cast<float>(spec.param) * 0x1p-24f;
      for (size_t i = 0; i < groups; ++i) out[i] = uniform_f32(words[i], scale);
    } else {
      const float stddev = static_cast<float>(spec.param);
      for (size_t i = 0; i < groups; ++i) {
        normal_pair_f32(words[2 * i], words[2 * i + 1], stddev, &out[2 * i], &out[2 * i + 1]);
      }
    }
    return;
  }
  double* out = static_cast<double*>(values);
  if (spec.distribution == Distribution::kUniform) {
    const double scale = spec.param * 0x1p-53;
    for (size_t i = 0; i < groups; ++i) out[i] = uniform_f64(words[2 * i], words[2 * i + 1], scale);
  } else {
    for (size_t i = 0; i < groups; ++i) {
      normal_pair_f64(&words[4 * i], spec.param, &out[2 * i], &out[2 * i + 1]);
    }
  }
}

inline void store_strided(const char* src, size_t count, size_t bytes, char* dst,
                          ptrdiff_t stride) {
  for (size_t i = 0; i < count; ++i) {
    std::memcpy(dst, src + i * bytes, bytes);
    dst += stride;
  }
}

inline void store_contiguous(const char* src, size_t nbytes, char* dst, bool streaming) {
#if defined(FXV_HAVE_AVX512) || defined(FXV_HAVE_AVX2)
  constexpr size_t kLine = 64;
  if (streaming && nbytes >= 2 * kLine) {
    const size_t head = (kLine - reinterpret_cast<uintptr_t>(dst) % kLine) % kLine;
    std::memcpy(dst, src, head);
    size_t done = head;
    for (; done + kLine <= nbytes; done += kLine) stream_line(dst + done, src + done);
    std::memcpy(dst + done, src + done, nbytes - done);
    return;
  }
#else
  (void)streaming;
#endif
  std::memcpy(dst, src, nbytes);
}

inline void fill_row_impl(const FillSpec& spec, uint64_t first, uint64_t count, char* dst,
                          ptrdiff_t stride, bool streaming) {
  const GroupShape shape = group_shape(spec);
  const uint32_t groups_per_block = 4 / shape.words;
  const RoundKeys keys = make_round_keys(spec.seed);

  alignas(64) uint32_t words[4 * kChunk + 64];
  alignas(64) char values[8 * kChunk + 64];

  while (count > 0) {
    // A chunk covers whole groups, so a row that starts or ends inside a normal pair
    // computes the whole pair and keeps its half.
    const uint64_t first_group = first / shape.elements;
    const size_t skip = static_cast<size_t>(first % shape.elements);
    const size_t take = static_cast<size_t>(std::min<uint64_t>(count, kChunk - skip));
    const size_t groups = (skip + take + shape.elements - 1) / shape.elements;

    const uint64_t first_block = first_group / groups_per_block;
    const size_t word_offset =
        static_cast<size_t>(first_group % groups_per_block) * shape.words;
    const size_t nblocks = (word_offset + groups * shape.words + 3) / 4;
    philox_blocks(keys, spec.stream, spec.block_base + first_block, nblocks, words);

    transform_chunk(spec, words + word_offset, groups, values);

    const char* src = values + skip * shape.element_bytes;
    if (stride == static_cast<ptrdiff_t>(shape.element_bytes)) {
      store_contiguous(src, take * shape.element_bytes, dst, streaming);
    } else {
      store_strided(src, take, shape.element_bytes, dst, stride);
    }

    dst += static_cast<ptrdiff_t>(take) * stride;
    first += take;
    count -= take;
  }
}

inline void philox_blocks_entry(uint64_t seed, uint64_t stream, uint64_t first_block,
                                size_t nblocks, uint32_t* out) {
  philox_blocks(make_round_keys(seed), stream, first_block, nblocks, out);
}
