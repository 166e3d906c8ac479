#!/usr/bin/env bash
# Builds and runs bench/kernel_throughput.cpp with the flags of the package build.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${TMPDIR:-/tmp}/fastxavier-kernel-throughput"
mkdir -p "$out"
flags=(-std=c++20 -O3 -ffp-contract=off -fno-math-errno -DFXV_BUILD_X86 -Icsrc)
g++ "${flags[@]}" -c csrc/kernel_scalar.cpp -o "$out/scalar.o"
g++ "${flags[@]}" -DFXV_HAVE_AVX2 -mavx2 -c csrc/kernel_x86.cpp -o "$out/avx2.o"
g++ "${flags[@]}" -DFXV_HAVE_AVX512 -mavx512f -mavx512dq -mavx512bw -mavx512vl \
  -mprefer-vector-width=512 -c csrc/kernel_x86.cpp -o "$out/avx512.o"
g++ "${flags[@]}" bench/kernel_throughput.cpp "$out/scalar.o" "$out/avx2.o" \
  "$out/avx512.o" -o "$out/kernel_throughput"
"$out/kernel_throughput"
