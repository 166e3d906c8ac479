// Times the fill kernel alone, in L1/L2 cache, on one thread: nanoseconds per element
// for every path, dtype and distribution, plus the raw Philox words. This is the
// arithmetic limit of a fill, free of memory traffic, threads and Python.
// Build and run: bench/kernel_throughput.sh
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "kernel.hpp"

using namespace fastxavier;

namespace fastxavier {
void store_fence() {}
}  // namespace fastxavier

namespace {

constexpr size_t kElements = 1 << 16;  // 256 KiB of float32: stays in L2
constexpr int kRepeats = 200;

double median_ns_per_element(const KernelPath& path, const FillSpec& spec,
                             size_t bytes) {
  std::vector<unsigned char> out(kElements * bytes);
  std::vector<double> samples;
  for (int trial = 0; trial < 7; ++trial) {
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < kRepeats; ++r) {
      path.fill_row(spec, 0, kElements, reinterpret_cast<char*>(out.data()),
                    static_cast<ptrdiff_t>(bytes), false);
    }
    const std::chrono::duration<double> elapsed =
        std::chrono::steady_clock::now() - start;
    samples.push_back(elapsed.count() / kRepeats / kElements * 1e9);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

FillSpec make_spec(Distribution distribution, DType dtype) {
  FillSpec spec{};
  spec.distribution = distribution;
  spec.dtype = dtype;
  spec.seed = 1;
  spec.param = 0.1;
  // N(0, 0.1) truncated to two standard deviations.
  spec.truncation = {0.02275013194817921, 0.02275013194817921, 0.9544997361036416, -0.2,
                     0.2};
  return spec;
}

}  // namespace

int main() {
  std::vector<const KernelPath*> paths = {&scalar::kPath};
#if defined(FXV_BUILD_X86)
  if (__builtin_cpu_supports("avx2")) paths.push_back(&avx2::kPath);
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) {
    paths.push_back(&avx512::kPath);
  }
#endif
  struct Case {
    const char* name;
    Distribution distribution;
    DType dtype;
    size_t bytes;
  };
  const Case cases[] = {
      {"words", Distribution::kBits, DType::kUInt32, 4},
      {"uniform f32", Distribution::kUniform, DType::kFloat32, 4},
      {"normal f32", Distribution::kNormal, DType::kFloat32, 4},
      {"trunc f32", Distribution::kTruncatedNormal, DType::kFloat32, 4},
      {"uniform f64", Distribution::kUniform, DType::kFloat64, 8},
      {"normal f64", Distribution::kNormal, DType::kFloat64, 8},
      {"trunc f64", Distribution::kTruncatedNormal, DType::kFloat64, 8},
      {"uniform f16", Distribution::kUniform, DType::kFloat16, 2},
      {"normal bf16", Distribution::kNormal, DType::kBFloat16, 2},
  };
  std::printf("%-12s", "ns/element");
  for (const KernelPath* path : paths) std::printf(" %9s", path->name);
  std::printf("\n");
  for (const Case& c : cases) {
    std::printf("%-12s", c.name);
    for (const KernelPath* path : paths) {
      std::printf(" %9.3f", median_ns_per_element(
                                *path, make_spec(c.distribution, c.dtype), c.bytes));
    }
    std::printf("\n");
  }
  return 0;
}
