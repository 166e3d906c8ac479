#include "dispatch.hpp"

#include <cstdlib>
#include <stdexcept>

namespace fastxavier {
namespace {

struct Candidate {
  const KernelPath* path;
  bool supported;
};

std::vector<Candidate> candidates() {
  std::vector<Candidate> list = {{&scalar::kPath, true}};
#if defined(FXV_BUILD_X86)
  // GCC's __builtin_cpu_supports also checks that the OS saves the wide registers
  // (XGETBV), so a feature the kernel disabled reads as absent.
  __builtin_cpu_init();
  list.push_back({&avx2::kPath, __builtin_cpu_supports("avx2") != 0});
  list.push_back({&avx512::kPath, __builtin_cpu_supports("avx512f") &&
                                      __builtin_cpu_supports("avx512dq") &&
                                      __builtin_cpu_supports("avx512bw") &&
                                      __builtin_cpu_supports("avx512vl")});
#endif
#if defined(FXV_BUILD_NEON)
  list.push_back({&neon::kPath, true});
#endif
  return list;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

const KernelPath& choose_path() {
  const std::vector<Candidate> list = candidates();
  const char* forced = std::getenv("FASTXAVIER_ISA");
  if (forced == nullptr || *forced == '\0') {
    const KernelPath* best = list.front().path;
    for (const Candidate& candidate : list) {
      if (candidate.supported) best = candidate.path;
    }
    return *best;
  }

  std::vector<std::string> known;
  for (const Candidate& candidate : list) {
    if (candidate.path->name == std::string(forced)) {
      if (!candidate.supported) {
        throw std::runtime_error(
            std::string("FASTXAVIER_ISA='") + forced +
            "' is not supported by this CPU; unset it or choose one of: " +
            join_names(supported_paths()));
      }
      return *candidate.path;
    }
    known.emplace_back(candidate.path->name);
  }
  throw std::runtime_error(
      std::string("FASTXAVIER_ISA='") + forced +
      "' is not a known path; expected one of: " + join_names(known));
}

}  // namespace

const KernelPath& active_path() {
  static const KernelPath& path = choose_path();
  return path;
}

std::vector<std::string> supported_paths() {
  std::vector<std::string> names;
  for (const Candidate& candidate : candidates()) {
    if (candidate.supported) names.emplace_back(candidate.path->name);
  }
  return names;
}

}  // namespace fastxavier
