"""Constants of a truncated normal fill, computed with exact decimal arithmetic.

The kernel maps each element's uniform v in (0, 1) to p = Phi(alpha) + span v and
1 - p = Q(beta) + span (1 - v), then inverts the normal CDF. Phi(alpha), Q(beta) and
span = Phi(beta) - Phi(alpha) come from Python's decimal module at 60 significant
digits, which computes the same digits on every platform (unlike libm's erfc), and
are then rounded once to float64. So the values of a fill never depend on the machine.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

# pi to 70 digits; decimal has no pi of its own.
_PI = Decimal("3.141592653589793238462643383279502884197169399375105820974944592307816")
_DIGITS = 60

# Below this span the tail mass underflows float64 arithmetic in the kernel.
_MIN_SPAN = 1e-290


def _density(x: Decimal) -> Decimal:
    return (-(x * x) / 2).exp() / (2 * _PI).sqrt()


def _upper_tail_series(x: Decimal) -> Decimal:
    """Return Q(x) = 1 - Phi(x) for 0 <= x <= 8 from the series of Phi(x) - 1/2."""
    term = x
    total = x
    n = 1
    tolerance = Decimal(10) ** (-_DIGITS - 5)
    while term > total * tolerance:
        term = term * x * x / (2 * n + 1)
        total += term
        n += 1
    return Decimal("0.5") - _density(x) * total


def _upper_tail_fraction(x: Decimal) -> Decimal:
    """Return Q(x) for x > 8 from Laplace's continued fraction, evaluated backward."""
    fraction = x
    for k in range(400, 0, -1):
        fraction = x + k / fraction
    return _density(x) / fraction


def upper_tail(x: float) -> Decimal:
    """Return Q(x) = 1 - Phi(x) of the standard normal to about 60 digits."""
    if math.isinf(x):
        return Decimal(0) if x > 0 else Decimal(1)
    with localcontext() as context:
        context.prec = _DIGITS + 20
        value = Decimal(x)
        if value < 0:
            return 1 - upper_tail(-x)
        if value <= 8:
            return +_upper_tail_series(value)
        return +_upper_tail_fraction(value)


def window(alpha: float, beta: float) -> tuple[float, float, float]:
    """Return (Phi(alpha), Q(beta), Phi(beta) - Phi(alpha)) as float64.

    Each is formed from tail probabilities of the side it lies on, Phi(x) = Q(-x), so
    an interval deep in either tail keeps all its digits.

    Raises
    ------
    ValueError
        If the interval has too little probability for float64 (both ends more than
        about 37 standard deviations out on the same side).
    """
    with localcontext() as context:
        context.prec = _DIGITS + 20
        p_low = upper_tail(-alpha)  # Phi(alpha)
        q_high = upper_tail(beta)
        if beta <= 0:
            span = upper_tail(-beta) - p_low
        elif alpha >= 0:
            span = upper_tail(alpha) - q_high
        else:
            span = 1 - p_low - q_high
    if float(span) < _MIN_SPAN:
        raise ValueError(
            f"the truncation interval [{alpha!r}, {beta!r}], in standard deviations "
            "from the mean, has a probability below 1e-290, which float64 cannot "
            "sample; move a or b closer to the mean, or widen the interval"
        )
    return float(p_low), float(q_high), float(span)
