// Transforms from Philox words to floating-point values (stream format version 1).
//
// Every path (scalar, AVX2, AVX-512, NEON) compiles these same functions; the loops
// that call them are vectorized by the compiler for the path's instruction set. The
// paths agree bit for bit because each step is one IEEE 754 operation in round to
// nearest-even: +, -, *, /, sqrt, exact integer conversions, bit operations. The
// build compiles with -ffp-contract=off so no multiply and add fuse into an FMA,
// and nothing here calls libm, whose results differ between machines.
// fastxavier/reference.py repeats each function step by step in NumPy.

// ---- uniform ------------------------------------------------------------------------

// float32: j = (w as int32) >> 7, made odd, so |j| <= 2^24 - 1 and j is symmetric about
// zero. scale = bound * 2^-24 rounded to float32, so every value is strictly inside
// (-bound, bound) after the one rounding of the multiply.
inline float uniform_f32(uint32_t word, float scale) {
  const int32_t j = (static_cast<int32_t>(word) >> 7) | 1;  // arithmetic shift (C++20)
  return static_cast<float>(j) * scale;
}

// Converts an integer in [0, 2^32) to double exactly with signed 32-bit conversions,
// which every vector instruction set has.
inline double u32_to_f64(uint32_t x) {
  return static_cast<double>(static_cast<int32_t>(x ^ 0x80000000u)) + 0x1p31;
}

// Integer to double conversions below are exact, so each path may form them its own
// way without changing a bit. AVX-512 DQ and aarch64 convert 64-bit integers in one
// instruction; AVX2 and SSE have only 32-bit conversions and add exact halves.
#if defined(FXV_HAVE_AVX512) || defined(__aarch64__)
#define FXV_NATIVE_INT64_TO_DOUBLE 1
#else
#define FXV_NATIVE_INT64_TO_DOUBLE 0
#endif

// Converts an integer in [0, 2^53] to double.
inline double u53_to_f64(uint64_t x) {
#if FXV_NATIVE_INT64_TO_DOUBLE
  return static_cast<double>(static_cast<int64_t>(x));
#else
  const double high = static_cast<double>(static_cast<int32_t>(x >> 26));
  const double low = static_cast<double>(static_cast<int32_t>(x & 0x3FFFFFFu));
  return high * 0x1p26 + low;
#endif
}

// float64: x = (high << 32) | low, j = ((x as int64) >> 10) | 1 with |j| < 2^53, the
// value is double(j) * (bound * 2^-53).
inline double uniform_f64(uint32_t low, uint32_t high, double scale) {
#if FXV_NATIVE_INT64_TO_DOUBLE
  const uint64_t x = static_cast<uint64_t>(high) << 32 | low;
  const int64_t j = (static_cast<int64_t>(x) >> 10) | 1;  // arithmetic shift (C++20)
  return static_cast<double>(j) * scale;
#else
  const int32_t j_high = static_cast<int32_t>(high) >> 10;
  const uint32_t j_low = (high << 22) | (low >> 10) | 1u;
  return (static_cast<double>(j_high) * 0x1p32 + u32_to_f64(j_low)) * scale;
#endif
}

// ---- natural logarithm on (0, 1]
// -----------------------------------------------------
//
// x = 2^e * m with m in [sqrt(2)/2, sqrt(2)); with t = m - 1 and s = t / (2 + t),
// ln m = 2 atanh(s) = 2s + s * (2/3 s^2 + 2/5 s^4 + ...), |s| <= 0.1716. The series is
// cut where its next term is below half an ulp. ln 2 is split into a high part with
// few mantissa bits, so e * ln2_high is exact, and the low remainder.

// Returns ln(v * 2^-32) for v in [1/2, 2^32]: the 2^-32 only lowers the exponent. One
// rounded product e * ln 2 suffices for float32, whose values here stay above 2^-33.
inline float log_scaled_f32(float v) {
  const uint32_t bits = std::bit_cast<uint32_t>(v);
  int32_t exponent = static_cast<int32_t>(bits >> 23) - (127 + 32);
  uint32_t mantissa = (bits & 0x007FFFFFu) | 0x3F800000u;  // m in [1, 2)
  const bool above_sqrt2 = mantissa > 0x3FB504F3u;
  mantissa = above_sqrt2 ? mantissa - 0x00800000u : mantissa;  // m / 2
  exponent = above_sqrt2 ? exponent + 1 : exponent;

  const float t = std::bit_cast<float>(mantissa) - 1.0f;
  const float s = t / (2.0f + t);
  const float s2 = s * s;
  const float series =
      s2 * (0x1.555556p-1f +
            s2 * (0x1.99999ap-2f + s2 * (0x1.24924ap-2f + s2 * 0x1.c71c72p-3f)));
  const float log_m = (s + s) + s * series;
  return static_cast<float>(exponent) * 0x1.62e430p-1f + log_m;
}

inline double log_unit_f64(double x) {
  const uint64_t bits = std::bit_cast<uint64_t>(x);
  int32_t exponent = static_cast<int32_t>(bits >> 52) - 1023;
  uint64_t mantissa = (bits & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull;
  const bool above_sqrt2 = mantissa > 0x3FF6A09E667F3BCCull;
  mantissa = above_sqrt2 ? mantissa - 0x0010000000000000ull : mantissa;
  exponent = above_sqrt2 ? exponent + 1 : exponent;

  const double t = std::bit_cast<double>(mantissa) - 1.0;
  const double s = t / (2.0 + t);
  const double s2 = s * s;
  double series = 0x1.642c8590b2164p-4;  // 2/23
  series = 0x1.8618618618618p-4 + s2 * series;
  series = 0x1.af286bca1af28p-4 + s2 * series;
  series = 0x1.e1e1e1e1e1e1ep-4 + s2 * series;
  series = 0x1.1111111111111p-3 + s2 * series;
  series = 0x1.3b13b13b13b14p-3 + s2 * series;
  series = 0x1.745d1745d1746p-3 + s2 * series;
  series = 0x1.c71c71c71c71cp-3 + s2 * series;
  series = 0x1.2492492492492p-2 + s2 * series;
  series = 0x1.999999999999ap-2 + s2 * series;
  series = 0x1.5555555555555p-1 + s2 * series;  // 2/3
  const double log_m = (s + s) + s * (s2 * series);

  const double e = static_cast<double>(exponent);
  return e * 0x1.62e42feep-1 + (log_m + e * 0x1.a39ef35793c76p-33);
}

// ---- sine and cosine of a fraction of a turn ----------------------------------------
//
// The angle is 2 pi u2 with u2 an integer k over 2^bits, so the range reduction is
// exact integer work: k + 2^(bits-3) splits into a quadrant q (top two bits) and a
// fraction f in [-1/2, 1/2), angle = (pi/2)(q + f). sin and cos of (pi/2) f come from
// the Taylor series in f (coefficients (pi/2)^n / n!), |(pi/2) f| <= pi/4; the quadrant
// then swaps them and flips signs exactly.

struct SinCosF32 {
  float cos;
  float sin;
};

// The angle is 2 pi k / 2^24 with k = w >> 8. Adding 2^29 to w (that is 2^21 to k)
// puts the quadrant in the top two bits, and bits 8..29 of w, read as a signed 22-bit
// number, are f * 2^22. sin and cos use least-squares polynomial fits on [-1/2, 1/2],
// one term shorter than Taylor series of the same float32 accuracy. Measured in
// float32, the sine's relative error is below 1.4e-7 and the cosine's absolute error
// below 7.2e-8.
inline SinCosF32 sincos_turn_f32(uint32_t w) {
  const int32_t fraction = static_cast<int32_t>(w << 2) >> 10;  // arithmetic shift
  const float f = static_cast<float>(fraction) * 0x1p-22f;      // in [-1/2, 1/2)
  const uint32_t turned = w + 0x20000000u;  // quadrant = turned >> 30
  const float f2 = f * f;

  const float sin_f =
      f * (0x1.921fb6p+0f +
           f2 * (-0x1.4abbb8p-1f + f2 * (0x1.465e90p-4f + f2 * -0x1.2d92c6p-8f)));
  const float cos_f =
      1.0f +
      f2 * (-0x1.3bd3ccp+0f +
            f2 * (0x1.03c1dcp-2f + f2 * (-0x1.55c57ap-6f + f2 * 0x1.d9c326p-11f)));

  const bool swap = (turned & 0x40000000u) != 0;                   // quadrants 1, 3
  const uint32_t cos_sign = (turned + 0x40000000u) & 0x80000000u;  // quadrants 1, 2
  const uint32_t sin_sign = turned & 0x80000000u;                  // quadrants 2, 3
  const float c = swap ? sin_f : cos_f;
  const float s = swap ? cos_f : sin_f;
  return {std::bit_cast<float>(std::bit_cast<uint32_t>(c) ^ cos_sign),
          std::bit_cast<float>(std::bit_cast<uint32_t>(s) ^ sin_sign)};
}

struct SinCosF64 {
  double cos;
  double sin;
};

// k: 53-bit integer, the angle is 2 pi k / 2^53.
inline SinCosF64 sincos_turn_f64(uint64_t k) {
  constexpr uint64_t kMask53 = (uint64_t{1} << 53) - 1;
  const uint64_t shifted = (k + (uint64_t{1} << 50)) & kMask53;
  const uint32_t quadrant = static_cast<uint32_t>(shifted >> 51);
  const double f = u53_to_f64(shifted & ((uint64_t{1} << 51) - 1)) * 0x1p-51 - 0.5;
  const double f2 = f * f;

  double sin_f = -0x1.8a404211f9547p-45;
  sin_f = 0x1.aaec32af93359p-38 + f2 * sin_f;
  sin_f = -0x1.6fadb9f155744p-31 + f2 * sin_f;
  sin_f = 0x1.e8f434d018d63p-25 + f2 * sin_f;
  sin_f = -0x1.e3074fde8871fp-19 + f2 * sin_f;
  sin_f = 0x1.50783487ee782p-13 + f2 * sin_f;
  sin_f = -0x1.32d2cce62bd86p-8 + f2 * sin_f;
  sin_f = 0x1.466bc6775aae2p-4 + f2 * sin_f;
  sin_f = -0x1.4abbce625be53p-1 + f2 * sin_f;
  sin_f = 0x1.921fb54442d18p+0 + f2 * sin_f;
  sin_f = f * sin_f;

  double cos_f = 0x1.ef6e308d6d1c4p-49;
  cos_f = -0x1.2a0c591af8314p-41 + f2 * cos_f;
  cos_f = 0x1.20c62c2f2d7f5p-34 + f2 * cos_f;
  cos_f = -0x1.b6e24f44b128fp-28 + f2 * cos_f;
  cos_f = 0x1.f9d38a3763cc3p-22 + f2 * cos_f;
  cos_f = -0x1.a6d1f2a204a8cp-16 + f2 * cos_f;
  cos_f = 0x1.e1f506891babbp-11 + f2 * cos_f;
  cos_f = -0x1.55d3c7e3cbffap-6 + f2 * cos_f;
  cos_f = 0x1.03c1f081b5ac4p-2 + f2 * cos_f;
  cos_f = -0x1.3bd3cc9be45dep+0 + f2 * cos_f;
  cos_f = 1.0 + f2 * cos_f;

  const bool swap = (quadrant & 1u) != 0;
  const uint64_t cos_sign = static_cast<uint64_t>((quadrant + 1u) & 2u) << 62;
  const uint64_t sin_sign = static_cast<uint64_t>(quadrant & 2u) << 62;
  const double c = swap ? sin_f : cos_f;
  const double s = swap ? cos_f : sin_f;
  return {std::bit_cast<double>(std::bit_cast<uint64_t>(c) ^ cos_sign),
          std::bit_cast<double>(std::bit_cast<uint64_t>(s) ^ sin_sign)};
}

// ---- normal (Box-Muller)
// -------------------------------------------------------------

// float32 pair from words w1 (radius) and w2 (angle):
//   u1 = (float32(w1) + 1/2) 2^-32, float32(w1) being w1 rounded to float32 and the sum
//        rounded too. u1 is in (0, 1] and at least 2^-33, so the radius is at most
//        sqrt(66 ln 2) = 6.76 and log never sees 0;
//   r = sqrt(-2 ln u1); first = (r std) cos(2 pi u2), second = (r std) sin(2 pi u2),
//   with u2 = (w2 >> 8) 2^-24.
inline void normal_pair_f32(uint32_t w1, uint32_t w2, float stddev, float* first,
                            float* second) {
  const float u1_scaled = static_cast<float>(w1) + 0.5f;  // u1 * 2^32
  const float radius = std::sqrt(-2.0f * log_scaled_f32(u1_scaled)) * stddev;
  const SinCosF32 angle = sincos_turn_f32(w2);
  *first = radius * angle.cos;
  *second = radius * angle.sin;
}

// float64 pair from words w[0..3]: x1 = w0 | w1 << 32 gives u1 = ((x1 >> 11) + 1) 2^-53
// in (0, 1]; x2 = w2 | w3 << 32 gives the angle 2 pi (x2 >> 11) / 2^53.
inline void normal_pair_f64(const uint32_t* w, double stddev, double* first,
                            double* second) {
  const uint64_t x1 = static_cast<uint64_t>(w[1]) << 32 | w[0];
  const uint64_t x2 = static_cast<uint64_t>(w[3]) << 32 | w[2];
  const double u1 = u53_to_f64((x1 >> 11) + 1) * 0x1p-53;  // in (0, 1]
  const double radius = std::sqrt(-2.0 * log_unit_f64(u1));
  const SinCosF64 angle = sincos_turn_f64(x2 >> 11);
  const double scaled = stddev * radius;
  *first = scaled * angle.cos;
  *second = scaled * angle.sin;
}

// ---- truncated normal (inverse CDF)
// ----------------------------------------------------

// Per-call constants of a truncated normal on [lower, upper] with mean and std, whose
// standardized interval is [alpha, beta]. Computed in Python with exact decimal
// arithmetic (fastxavier/_truncated.py), then rounded once:
//   p_low = Phi(alpha), q_high = 1 - Phi(beta), span = Phi(beta) - Phi(alpha).
// An element with uniform v gets p = p_low + span v and 1 - p = q_high + span (1 - v):
// each is a sum of positive terms, so p keeps its precision near alpha and 1 - p near
// beta even deep in a tail. lowest and highest are lower and upper moved inward to
// values representable in the output dtype, so rounding to it never leaves [a, b].
struct TruncatedNormalParams {
  double p_low;
  double q_high;
  double span;
  double mean;
  double stddev;
  double lowest;
  double highest;
};

template <size_t N>
inline double horner(const double (&coefficients)[N], double t) {
  double sum = coefficients[0];
#pragma GCC unroll 32
  for (size_t k = 1; k < N; ++k) sum = sum * t + coefficients[k];
  return sum;
}

// w beyond the central range needs a tail polynomial (rare unless the interval is a
// tail): the vectorized loop flags such elements for truncated_normal_tail.
constexpr double kCentralLimit = 6.25;

// y = 2p - 1 and w = -ln(4 p (1 - p)) of the element whose uniform is v in (0, 1).
struct InverseNormalInput {
  double y;
  double w;
};

inline InverseNormalInput inverse_normal_input(double v,
                                               const TruncatedNormalParams& t) {
  const double p = t.p_low + t.span * v;
  const double q = t.q_high + t.span * (1.0 - v);  // 1 - v is exact
  const double product = (4.0 * p) * q;
  return {p - q, -log_unit_f64(product)};
}

inline double truncated_normal_finish(double x, const TruncatedNormalParams& t) {
  const double value = t.mean + t.stddev * x;
  return std::min(std::max(value, t.lowest), t.highest);
}

// The central range, computed for every element (vectorizable): exact when w < 6.25.
inline double truncated_normal_central(InverseNormalInput in,
                                       const TruncatedNormalParams& t) {
  const double x = in.y * horner(kInverseNormalCentral, in.w - 3.125);
  return truncated_normal_finish(x, t);
}

// The three tail ranges, for the flagged elements only.
inline double truncated_normal_tail(InverseNormalInput in,
                                    const TruncatedNormalParams& t) {
  const double root = std::sqrt(in.w);
  double g;
  if (in.w < 16.0) {
    g = horner(kInverseNormalTail, root - 3.25);
  } else if (in.w < 100.0) {
    g = horner(kInverseNormalFar, root - 7.0);
  } else {
    g = horner(kInverseNormalExtreme, root - 18.0);
  }
  return truncated_normal_finish(in.y * g, t);
}

// Uniforms on (0, 1), exact in float64: one word w gives (w + 1/2) 2^-32, two words
// forming x = high * 2^32 + low give ((x >> 12) + 1/2) 2^-52.
inline double open_unit_from_word(uint32_t word) {
  return (u32_to_f64(word) + 0.5) * 0x1p-32;
}

inline double open_unit_from_words(uint32_t low, uint32_t high) {
  const uint64_t x = (static_cast<uint64_t>(high) << 32 | low) >> 12;
  return (u53_to_f64(x) + 0.5) * 0x1p-52;
}

// ---- float32 to float16 and bfloat16, round to nearest even
// --------------------------

inline uint16_t f32_to_f16_bits(float x) {
  const uint32_t bits = std::bit_cast<uint32_t>(x);
  const uint32_t sign = (bits >> 16) & 0x8000u;
  const uint32_t magnitude = bits & 0x7FFFFFFFu;

  // Normal halves: drop 13 mantissa bits with rounding, then rebias 127 -> 15.
  const uint32_t rounded = magnitude + 0x0FFFu + ((magnitude >> 13) & 1u);
  const uint32_t normal = (rounded >> 13) - (112u << 10);
  // Subnormal halves (below 2^-14): adding 0.5, whose ulp is 2^-24, rounds the value to
  // a multiple of 2^-24 in the float adder, leaving the half's mantissa in the low
  // bits.
  const float shifted = std::bit_cast<float>(magnitude) + 0.5f;
  const uint32_t subnormal = std::bit_cast<uint32_t>(shifted) - 0x3F000000u;

  uint32_t result = magnitude < 0x38800000u ? subnormal : normal;
  result = magnitude >= 0x477FF000u ? 0x7C00u : result;  // 65520 and up round to inf
  return static_cast<uint16_t>(sign | result);
}

inline uint16_t f32_to_bf16_bits(float x) {
  const uint32_t bits = std::bit_cast<uint32_t>(x);
  return static_cast<uint16_t>((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
}

// A half-precision uniform whose magnitude reached the bound moves one step toward
// zero. limit: bits of the smallest positive value >= the bound (0 disables the rule).
inline uint16_t pull_inside(uint16_t bits, uint16_t limit) {
  const bool reached = limit != 0 && (bits & 0x7FFFu) >= limit;
  return reached ? static_cast<uint16_t>(bits - 1u) : bits;
}
