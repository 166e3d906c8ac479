// Choice of the instruction-set path at run time.
#pragma once

#include <string>
#include <vector>

#include "kernel.hpp"

namespace fastxavier {

// The path every fill uses: the one named by the environment variable FASTXAVIER_ISA
// (scalar, avx2, avx512, neon) if set, else the widest this CPU and OS support.
// Throws std::runtime_error if FASTXAVIER_ISA names an unknown path or one this CPU
// lacks. Decided on the first call and fixed for the life of the process.
const KernelPath& active_path();

// Names of the paths this CPU can run, narrowest first.
std::vector<std::string> supported_paths();

}  // namespace fastxavier
