"""Fit the polynomials of the inverse normal CDF used by the truncated normal.

With y = 2p - 1 and w = -ln(1 - y^2), ndtri(p) = y * G(w) where
G(w) = sqrt(2) erfinv(y) / y is smooth in w. This script fits G on four ranges with
Chebyshev interpolation in mpmath (each range in its own variable t), picks the lowest
degree whose float64 Horner evaluation stays within 3.5e-16 relative error on 301
points, and prints the coefficients as hexadecimal floats, highest power first, in the
layout of csrc/inverse_normal-inl.hpp.

Needs mpmath (not a dependency of the package). Takes a few minutes:
    python tools/fit_inverse_normal.py
"""

from __future__ import annotations

import functools

import mpmath as mp
import numpy as np

RANGES = [
    # name, w range, t(w), w(t), degrees to try
    ("Central", 0, 6.25, lambda w: w - 3.125, lambda t: t + 3.125, range(20, 30, 2)),
    (
        "Tail",
        6.25,
        16,
        lambda w: mp.sqrt(w) - 3.25,
        lambda t: (t + 3.25) ** 2,
        range(14, 24, 2),
    ),
    (
        "Far",
        16,
        100,
        lambda w: mp.sqrt(w) - 7,
        lambda t: (t + 7) ** 2,
        range(14, 32, 2),
    ),
    (
        "Extreme",
        100,
        720,
        lambda w: mp.sqrt(w) - 18,
        lambda t: (t + 18) ** 2,
        range(10, 28, 2),
    ),
]
TOLERANCE = 3.5e-16


@functools.cache
def g_of_w(w):
    """G(w) computed through p = e^-w / (2 (1 + sqrt(1 - e^-w))), the small root."""
    w = mp.mpf(w)
    with mp.workdps(int(w / 2.3) + 40):
        if w == 0:
            return +(mp.sqrt(2) * mp.sqrt(mp.pi) / 2)
        z = mp.exp(-w)
        p = z / (2 * (1 + mp.sqrt(1 - z)))
        y = 1 - 2 * p
        return +(mp.sqrt(2) * mp.erfinv(y) / y)


def horner(coefficients, t):
    total = 0.0
    for coefficient in coefficients:
        total = total * t + coefficient
    return total


def fit_range(low, high, forward, inverse, degrees):
    t_low, t_high = forward(mp.mpf(low)), forward(mp.mpf(high))
    points = np.linspace(float(t_low), float(t_high), 301)
    exact = [g_of_w(inverse(mp.mpf(t))) for t in points]
    for count in degrees:
        fitted = mp.chebyfit(lambda t: g_of_w(inverse(t)), [t_low, t_high], count)
        coefficients = [float(c) for c in fitted]
        worst = max(
            float(abs((horner(coefficients, float(t)) - e) / e))
            for t, e in zip(points, exact)
        )
        if worst < TOLERANCE:
            return coefficients, worst
    raise RuntimeError(f"no degree in {list(degrees)} reaches {TOLERANCE}")


def main():
    mp.mp.dps = 30
    for name, low, high, forward, inverse, degrees in RANGES:
        coefficients, worst = fit_range(low, high, forward, inverse, degrees)
        print(
            f"// w in [{low}, {high}): {len(coefficients)} terms, max error {worst:.2e}"
        )
        print(f"constexpr double kInverseNormal{name}[{len(coefficients)}] = {{")
        line = "   "
        for value in coefficients:
            text = float(value).hex()
            if len(line) + len(text) + 2 > 88:
                print(line)
                line = "   "
            line += " " + text + ","
        print(line)
        print("};")


if __name__ == "__main__":
    main()
