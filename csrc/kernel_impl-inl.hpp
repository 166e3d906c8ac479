// The fill pipeline of one instruction-set path, run chunk by chunk in L1 cache:
//   1. Philox writes the raw words of the chunk to `words`,
//   2. a transform loop turns them into float32 or float64 values,
//   3. float16, bfloat16 and float32 outputs of float64 transforms are narrowed,
//   4. the values go to the destination (non-temporal stores when asked).
// Included inside namespace fastxavier::<isa> after philox-inl.hpp, transforms-inl.hpp
// and inverse_normal-inl.hpp, and after the path's philox_blocks is defined.

// Elements per chunk: 8 KiB of float64 values plus their words stay in L1 cache.
constexpr size_t kChunk = 1024;

// Mapping of elements to words: a group of `elements` elements uses `words`
// consecutive words, and group g starts at word g * words.
struct GroupShape {
  uint32_t elements;
  uint32_t words;
};

inline size_t element_bytes(DType dtype) {
  switch (dtype) {
    case DType::kFloat64:
      return 8;
    case DType::kFloat16:
    case DType::kBFloat16:
      return 2;
    default:
      return 4;
  }
}

inline GroupShape group_shape(const FillSpec& spec) {
  const bool wide = spec.dtype == DType::kFloat64;
  if (spec.distribution == Distribution::kNormal) return {2, wide ? 4u : 2u};
  return {1, wide ? 2u : 1u};
}

// True when step 2 computes float64 values.
inline bool computes_f64(const FillSpec& spec) {
  return spec.dtype == DType::kFloat64 ||
         spec.distribution == Distribution::kTruncatedNormal;
}

inline TruncatedNormalParams truncated_params(const FillSpec& spec) {
  const TruncatedNormalSpec& t = spec.truncation;
  return {t.p_low, t.q_high, t.span, spec.mean, spec.param, t.lowest, t.highest};
}

inline void add_mean_f32(float* out, size_t count, double mean) {
  if (mean == 0.0) return;  // keeps the sign of zeros when there is no mean
  const float shift = static_cast<float>(mean);
  for (size_t i = 0; i < count; ++i) out[i] = out[i] + shift;
}

inline void add_mean_f64(double* out, size_t count, double mean) {
  if (mean == 0.0) return;
  for (size_t i = 0; i < count; ++i) out[i] = out[i] + mean;
}

inline void transform_f32(const FillSpec& spec, const uint32_t* words, size_t groups,
                          float* out) {
  if (spec.distribution == Distribution::kUniform) {
    const float scale = static_cast<float>(spec.param) * 0x1p-24f;
    for (size_t i = 0; i < groups; ++i) out[i] = uniform_f32(words[i], scale);
    return;
  }
  const float stddev = static_cast<float>(spec.param);
  for (size_t i = 0; i < groups; ++i) {
    normal_pair_f32(words[2 * i], words[2 * i + 1], stddev, &out[2 * i],
                    &out[2 * i + 1]);
  }
  add_mean_f32(out, 2 * groups, spec.mean);
}

// The uniforms of a truncated normal chunk: one word per element, or two for float64.
inline void truncated_uniforms(const FillSpec& spec, const uint32_t* words,
                               size_t count, double* out) {
  if (spec.dtype == DType::kFloat64) {
    for (size_t i = 0; i < count; ++i)
      out[i] = open_unit_from_words(words[2 * i], words[2 * i + 1]);
  } else {
    for (size_t i = 0; i < count; ++i) out[i] = open_unit_from_word(words[i]);
  }
}

inline void transform_truncated(const FillSpec& spec, const uint32_t* words,
                                size_t count, double* out) {
  const TruncatedNormalParams params = truncated_params(spec);
  alignas(64) double uniforms[kChunk];
  alignas(64) double w_values[kChunk];
  truncated_uniforms(spec, words, count, uniforms);

  // Every element through the central polynomial (vectorized)...
  for (size_t i = 0; i < count; ++i) {
    const InverseNormalInput in = inverse_normal_input(uniforms[i], params);
    out[i] = truncated_normal_central(in, params);
    w_values[i] = in.w;
  }
  // ...then the few outside its range again through a tail polynomial.
  for (size_t i = 0; i < count; ++i) {
    if (w_values[i] < kCentralLimit) continue;
    out[i] = truncated_normal_tail(inverse_normal_input(uniforms[i], params), params);
  }
}

inline void transform_f64(const FillSpec& spec, const uint32_t* words, size_t groups,
                          double* out) {
  if (spec.distribution == Distribution::kTruncatedNormal) {
    transform_truncated(spec, words, groups, out);
    return;
  }
  if (spec.distribution == Distribution::kUniform) {
    const double scale = spec.param * 0x1p-53;
    for (size_t i = 0; i < groups; ++i)
      out[i] = uniform_f64(words[2 * i], words[2 * i + 1], scale);
    return;
  }
  for (size_t i = 0; i < groups; ++i) {
    normal_pair_f64(&words[4 * i], spec.param, &out[2 * i], &out[2 * i + 1]);
  }
  add_mean_f64(out, 2 * groups, spec.mean);
}

inline void narrow_f64_to_f32(const double* in, size_t count, float* out) {
  for (size_t i = 0; i < count; ++i) out[i] = static_cast<float>(in[i]);
}

inline void narrow_to_half(const FillSpec& spec, const float* in, size_t count,
                           uint16_t* out) {
  const uint16_t limit =
      spec.distribution == Distribution::kUniform ? spec.half_limit : 0;
  if (spec.dtype == DType::kFloat16) {
    for (size_t i = 0; i < count; ++i)
      out[i] = pull_inside(f32_to_f16_bits(in[i]), limit);
  } else {
    for (size_t i = 0; i < count; ++i)
      out[i] = pull_inside(f32_to_bf16_bits(in[i]), limit);
  }
}

// L1-resident buffers of one chunk.
struct ChunkBuffers {
  alignas(64) uint32_t words[4 * kChunk + 64];
  alignas(64) double wide[kChunk + 8];
  alignas(64) float narrow[kChunk + 16];
  alignas(64) uint16_t half[kChunk + 32];
};

// Computes elements of groups [0, groups) of the chunk's words and returns a pointer to
// them in the output dtype.
inline const char* compute_chunk(const FillSpec& spec, const uint32_t* words,
                                 size_t groups, ChunkBuffers& buffers) {
  const size_t count = groups * group_shape(spec).elements;
  if (spec.distribution == Distribution::kBits)
    return reinterpret_cast<const char*>(words);

  if (computes_f64(spec)) {
    transform_f64(spec, words, groups, buffers.wide);
    if (spec.dtype == DType::kFloat64)
      return reinterpret_cast<const char*>(buffers.wide);
    narrow_f64_to_f32(buffers.wide, count, buffers.narrow);
  } else {
    transform_f32(spec, words, groups, buffers.narrow);
  }
  if (spec.dtype == DType::kFloat32)
    return reinterpret_cast<const char*>(buffers.narrow);

  narrow_to_half(spec, buffers.narrow, count, buffers.half);
  return reinterpret_cast<const char*>(buffers.half);
}

inline void store_strided(const char* src, size_t count, size_t bytes, char* dst,
                          ptrdiff_t stride) {
  for (size_t i = 0; i < count; ++i) {
    std::memcpy(dst, src + i * bytes, bytes);
    dst += stride;
  }
}

inline void store_contiguous(const char* src, size_t nbytes, char* dst,
                             bool streaming) {
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

inline void fill_row_impl(const FillSpec& spec, uint64_t first, uint64_t count,
                          char* dst, ptrdiff_t stride, bool streaming) {
  const GroupShape shape = group_shape(spec);
  const size_t bytes = element_bytes(spec.dtype);
  const uint32_t groups_per_block = 4 / shape.words;
  const RoundKeys keys = make_round_keys(spec.seed);
  ChunkBuffers buffers;

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
    philox_blocks(keys, spec.stream, spec.block_base + first_block, nblocks,
                  buffers.words);

    const char* values =
        compute_chunk(spec, buffers.words + word_offset, groups, buffers);
    const char* src = values + skip * bytes;
    if (stride == static_cast<ptrdiff_t>(bytes)) {
      store_contiguous(src, take * bytes, dst, streaming);
    } else {
      store_strided(src, take, bytes, dst, stride);
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
