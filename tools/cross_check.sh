#!/usr/bin/env bash
# Builds tools/cross_check.cpp natively and for aarch64, runs both (the second under
# qemu-user) and compares the digests of every path. Needs g++, g++-aarch64-linux-gnu
# and qemu-user (Debian packages). Exits non-zero if any digest differs.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${TMPDIR:-/tmp}/fastxavier-cross-check"
mkdir -p "$out"
flags=(-std=c++20 -O3 -ffp-contract=off -fno-math-errno -Icsrc)

g++ "${flags[@]}" -DFXV_BUILD_X86 -c csrc/kernel_scalar.cpp -o "$out/scalar.o"
g++ "${flags[@]}" -DFXV_BUILD_X86 -DFXV_HAVE_AVX2 -mavx2 -c csrc/kernel_x86.cpp \
  -o "$out/avx2.o"
g++ "${flags[@]}" -DFXV_BUILD_X86 -DFXV_HAVE_AVX512 -mavx512f -mavx512dq -mavx512bw \
  -mavx512vl -c csrc/kernel_x86.cpp -o "$out/avx512.o"
g++ "${flags[@]}" -DFXV_BUILD_X86 tools/cross_check.cpp "$out/scalar.o" "$out/avx2.o" \
  "$out/avx512.o" -o "$out/native"

aarch64-linux-gnu-g++ "${flags[@]}" -DFXV_BUILD_NEON -c csrc/kernel_scalar.cpp \
  -o "$out/scalar-arm.o"
aarch64-linux-gnu-g++ "${flags[@]}" -DFXV_BUILD_NEON -c csrc/kernel_neon.cpp \
  -o "$out/neon.o"
aarch64-linux-gnu-g++ -static "${flags[@]}" -DFXV_BUILD_NEON tools/cross_check.cpp \
  "$out/scalar-arm.o" "$out/neon.o" -o "$out/arm"

"$out/native" | tee "$out/native.txt"
qemu-aarch64 "$out/arm" | tee "$out/arm.txt"
digests=$(cut -d' ' -f2 "$out/native.txt" "$out/arm.txt" | sort -u | wc -l)
if [[ "$digests" -ne 1 ]]; then
  echo "cross check failed: the paths wrote different bits" >&2
  exit 1
fi
echo "cross check passed: every path on both architectures wrote the same bits"
