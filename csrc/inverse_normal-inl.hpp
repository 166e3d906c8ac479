// Inverse of the standard normal CDF, in float64, for the truncated normal.
//
// Form (after M. Giles, "Approximating the erfinv function", GPU Computing Gems Jade
// Edition, 2011): with y = 2p - 1 and w = -ln(1 - y^2) = -ln(4 p (1 - p)),
//   ndtri(p) = y * G(w),   G(w) = sqrt(2) erfinv(y) / y,
// and G is smooth in w, so a polynomial fits it closely on each of four ranges:
//   central  w <  6.25        in t = w - 3.125
//   tail     6.25 <= w < 16   in t = sqrt(w) - 3.25
//   far      16 <= w < 100    in t = sqrt(w) - 7
//   extreme  100 <= w <= 720  in t = sqrt(w) - 18   (p down to about 1e-313)
// The coefficients are this project's own Chebyshev fits of G computed with mpmath at
// 40 or more digits (tools/fit_inverse_normal.py); evaluated by Horner's rule in
// float64, each range's maximum relative error measured on 301 points is below 3.4e-16.
// Coefficients run from the highest power down.

constexpr double kInverseNormalCentral[24] = {
    0x1.5a490b7731a15p-68,  -0x1.dbeccf1c596c1p-70, -0x1.242603ecc64dfp-61,
    0x1.e00593a36d4b8p-60,  0x1.964c14c7e5669p-56,  -0x1.a879e14feca93p-53,
    -0x1.06b76f40aecacp-54, 0x1.501a572b2af16p-47,  -0x1.fdae8a4c93954p-45,
    -0x1.028853bd2f0d2p-43, 0x1.05c6bd9d338b9p-38,  -0x1.42da7457f1ed4p-36,
    -0x1.50c1aff54493dp-34, 0x1.98a57af79a002p-30,  -0x1.8faf5546388a4p-28,
    -0x1.6125a5d8b9a27p-25, 0x1.4186be8c34437p-21,  -0x1.032ee3ba720ebp-19,
    -0x1.49627602c03eep-16, 0x1.14e8fc42a1299p-12,  -0x1.12994fbb84299p-10,
    -0x1.179b2574060cbp-7,  0x1.5bc94440cc7ecp-2,   0x1.2b57ec65a8009p+1,
};
constexpr double kInverseNormalTail[20] = {
    -0x1.6eef65e2ebc20p-26, 0x1.0eeb68e8d7dafp-30,  0x1.8dfaae330f9d0p-23,
    -0x1.9c09a15891019p-22, -0x1.480c1c7f3bf97p-25, 0x1.1c797a575e811p-19,
    -0x1.7a4dec230af8ap-18, 0x1.15ab873204487p-18,  0x1.27c17012228efp-16,
    -0x1.18ade3a3a1b0ep-14, 0x1.950df53f0dedbp-14,  0x1.1d16f087a6f95p-15,
    -0x1.073ea0178dc15p-11, 0x1.61692231c9fe5p-10,  -0x1.38f1f695a0a3ap-9,
    0x1.cdd2bb93a7d9bp-9,   -0x1.5bab4c3adcb3ap-8,  0x1.f1c95c5e7a2b8p-8,
    0x1.6bf14fa6fc347p+0,   0x1.171f182e77876p+2,
};
constexpr double kInverseNormalFar[28] = {
    0x1.bd223599c980bp-66,  -0x1.0ec321d694903p-63, -0x1.2c437c9dd2a99p-60,
    0x1.a251400a628eap-58,  0x1.247b85f2a4718p-56,  -0x1.dd803d9be1a02p-54,
    -0x1.8d2e2ef73ae7bp-53, 0x1.5a8d6ce80d01dp-50,  0x1.554dc60fd9bbdp-50,
    -0x1.465015f0dca6bp-47, -0x1.bf9b0219250c9p-48, 0x1.c226d08c0ed87p-45,
    0x1.95fb8f65a74eep-48,  -0x1.268ac22646c70p-44, -0x1.e404ed64c9203p-41,
    0x1.b777c2bc4fb66p-38,  -0x1.65683e2f32098p-35, 0x1.33397ad60b513p-32,
    -0x1.02881b042c876p-29, 0x1.a47bd79ce3d10p-27,  -0x1.4776632693567p-24,
    0x1.dd27327606c21p-22,  -0x1.335dbeed62fa1p-19, 0x1.1f50eb4811c91p-17,
    0x1.2a37c6a8bd70dp-17,  -0x1.7c1c45fcd53c3p-11, 0x1.6d268efbda9f6p+0,
    0x1.36db395d44f6cp+3,
};
constexpr double kInverseNormalExtreme[22] = {
    -0x1.63a586223e3efp-92, 0x1.27cecf4478981p-87,  -0x1.3aa2f024ab084p-85,
    -0x1.aea5911e38c57p-82, -0x1.3f9079235cd36p-77, 0x1.3e9087071a37ep-72,
    -0x1.d71c1434935acp-69, 0x1.72af16788c03dp-65,  -0x1.834ca13feb0a9p-61,
    0x1.6f35d85e110fap-57,  -0x1.2991ce6dd74fap-53, 0x1.86e30d116f10fp-50,
    -0x1.88b5d13f8f2c5p-48, -0x1.4129956ddd12fp-42, 0x1.c7dd2fca9a5bbp-37,
    -0x1.b22ec776ee48ap-32, 0x1.6948d26437e9ep-27,  -0x1.1a71182107243p-22,
    0x1.ad653df636032p-18,  -0x1.45765248b3bbcp-13, 0x1.6b07fb18f32f7p+0,
    0x1.958cfacda94a7p+4,
};
