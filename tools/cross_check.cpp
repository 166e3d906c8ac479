// Prints a digest of many fills on every path this build has, so that the output of an
// x86-64 build and of an aarch64 build (run under qemu-user) can be compared: the
// stream promises the same bits on every machine. Build and run: tools/cross_check.sh.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "fill.hpp"
#include "kernel.hpp"

using namespace fastxavier;

namespace {

// FNV-1a over the bytes of a buffer.
uint64_t digest(const void* data, size_t nbytes, uint64_t hash) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < nbytes; ++i) hash = (hash ^ bytes[i]) * 0x100000001B3ull;
  return hash;
}

uint64_t run_path(const KernelPath& path) {
  uint64_t hash = 0xCBF29CE484222325ull;
  const DType dtypes[] = {DType::kFloat32, DType::kFloat64, DType::kFloat16,
                          DType::kBFloat16};
  const Distribution distributions[] = {Distribution::kUniform, Distribution::kNormal,
                                        Distribution::kTruncatedNormal};
  std::vector<unsigned char> out(8 * 100003);
  for (DType dtype : dtypes) {
    for (Distribution distribution : distributions) {
      FillSpec spec{};
      spec.distribution = distribution;
      spec.dtype = dtype;
      spec.seed = 0x0123456789ABCDEFull;
      spec.stream = 77;
      spec.param = 0.3;
      spec.half_limit = 0;
      // A standard normal truncated to [-2, 2] scaled by 0.3 (constants from Python).
      spec.truncation = {0.02275013194817921, 0.02275013194817921, 0.9544997361036416,
                         -0.6, 0.6};
      const size_t bytes =
          dtype == DType::kFloat64 ? 8 : (dtype == DType::kFloat32 ? 4 : 2);
      path.fill_row(spec, 3, 100003, reinterpret_cast<char*>(out.data()),
                    static_cast<ptrdiff_t>(bytes), false);
      hash = digest(out.data(), bytes * 100003, hash);
    }
  }
  return hash;
}

}  // namespace

namespace fastxavier {
void store_fence() {}
}  // namespace fastxavier

int main() {
  std::printf("scalar %016llx\n",
              static_cast<unsigned long long>(run_path(scalar::kPath)));
#if defined(FXV_BUILD_X86)
  std::printf("avx2 %016llx\n", static_cast<unsigned long long>(run_path(avx2::kPath)));
  std::printf("avx512 %016llx\n",
              static_cast<unsigned long long>(run_path(avx512::kPath)));
#endif
#if defined(FXV_BUILD_NEON)
  std::printf("neon %016llx\n", static_cast<unsigned long long>(run_path(neon::kPath)));
#endif
  return 0;
}
