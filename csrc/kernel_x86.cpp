// x86-64 vector paths. CMake compiles this file twice: with -mavx2 and FXV_HAVE_AVX2,
// and with the AVX-512 F/DQ/BW/VL flags and FXV_HAVE_AVX512. The dispatcher calls a
// path only after checking that the CPU and the OS support it.
// GCC 12 reports -Wmaybe-uninitialized inside its own AVX-512 intrinsics, which pass
// an undefined vector as the unused merge source; the warning is false there.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <immintrin.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernel.hpp"

#if defined(FXV_HAVE_AVX512)
#define FXV_PATH avx512
#elif defined(FXV_HAVE_AVX2)
#define FXV_PATH avx2
#else
#error "kernel_x86.cpp needs FXV_HAVE_AVX2 or FXV_HAVE_AVX512"
#endif

namespace fastxavier::FXV_PATH {

#include "philox-inl.hpp"
#include "philox_x86-inl.hpp"
#include "inverse_normal-inl.hpp"
#include "transforms-inl.hpp"

// Copies one 64-byte line to a 64-byte aligned destination, bypassing the caches.
inline void stream_line(char* dst, const char* src) {
#if defined(FXV_HAVE_AVX512)
  _mm512_stream_si512(reinterpret_cast<__m512i*>(dst),
                      _mm512_loadu_si512(reinterpret_cast<const void*>(src)));
#else
  const __m256i* from = reinterpret_cast<const __m256i*>(src);
  __m256i* to = reinterpret_cast<__m256i*>(dst);
  _mm256_stream_si256(to, _mm256_loadu_si256(from));
  _mm256_stream_si256(to + 1, _mm256_loadu_si256(from + 1));
#endif
}

#include "kernel_impl-inl.hpp"

extern const KernelPath kPath = {
#if defined(FXV_HAVE_AVX512)
    "avx512",
#else
    "avx2",
#endif
    fill_row_impl, philox_blocks_entry};

}  // namespace fastxavier::FXV_PATH
