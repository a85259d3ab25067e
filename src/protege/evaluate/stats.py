"""Confidence intervals for a success rate (k successes out of n trials).

The gate promotes a student only when the *lower* bound of its agreement rate clears the
threshold, so these bounds decide real route changes. Two methods:

- Wilson score interval: closed form, good coverage even near 0 or 1, the usual default.
- Clopper-Pearson exact interval: inverts the binomial test, never under-covers, wider.

Clopper-Pearson needs beta quantiles. scipy is not a dependency of protege, so we compute the
regularized incomplete beta function with a continued fraction (modified Lentz) and find the
quantile by bisection; both are standard numerical methods and accurate to ~1e-12 here.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Literal

IntervalMethod = Literal["wilson", "clopper_pearson"]

_TINY = 1e-300
_CF_EPS = 1e-15
_CF_MAX_TERMS = 10_000


def _check(successes: int, n: int, confidence: float) -> None:
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), e.g. 0.95; got {confidence}")


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Two-sided Wilson score interval for a binomial proportion.

    Returns ``(0.0, 1.0)`` when ``n == 0``: with no trials nothing is known.
    """
    _check(successes, n, confidence)
    if n == 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(0.5 + confidence / 2.0)
    z2 = z * z
    p = successes / n
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = (z / denom) * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n))
    lower = 0.0 if successes == 0 else max(0.0, centre - half)
    upper = 1.0 if successes == n else min(1.0, centre + half)
    return lower, upper


def _beta_continued_fraction(x: float, a: float, b: float) -> float:
    """Continued fraction part of I_x(a, b), evaluated with the modified Lentz method.

    The fraction is 1 / (1 + d1 / (1 + d2 / (1 + ...))) with the classic coefficients
    d_{2m+1} = -(a+m)(a+b+m)x / ((a+2m)(a+2m+1)) and d_{2m} = m(b-m)x / ((a+2m-1)(a+2m)).
    """
    f = _TINY
    c = f
    d = 0.0
    for j in range(1, _CF_MAX_TERMS):
        if j == 1:
            numerator = 1.0
        else:
            k = j - 1  # index of d_k
            m = k // 2
            if k % 2 == 1:
                numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            else:
                numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        d = 1.0 + numerator * d
        d = _TINY if abs(d) < _TINY else d
        c = 1.0 + numerator / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        delta = c * d
        f *= delta
        if abs(delta - 1.0) < _CF_EPS:
            return f
    raise ArithmeticError(f"incomplete beta did not converge for x={x}, a={a}, b={b}")


def regularized_incomplete_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b), the CDF of a Beta(a, b) distribution at ``x`` (a, b > 0)."""
    if a <= 0 or b <= 0:
        raise ValueError(f"beta parameters must be positive, got a={a}, b={b}")
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    # The fraction converges fast only below the mean-ish point; use the symmetry otherwise.
    if x > (a + 1.0) / (a + b + 2.0):
        return 1.0 - regularized_incomplete_beta(1.0 - x, b, a)
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    return math.exp(log_front) / a * _beta_continued_fraction(x, a, b)


def beta_quantile(q: float, a: float, b: float) -> float:
    """The ``x`` with I_x(a, b) = q, found by bisection (the CDF is monotone on [0, 1])."""
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"quantile level must be in [0, 1], got {q}")
    if q == 0.0:
        return 0.0
    if q == 1.0:
        return 1.0
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if regularized_incomplete_beta(mid, a, b) < q:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    return (lo + hi) / 2.0


def clopper_pearson_interval(
    successes: int, n: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Two-sided Clopper-Pearson ("exact") interval for a binomial proportion.

    Lower bound: Beta(alpha/2; k, n-k+1); upper bound: Beta(1-alpha/2; k+1, n-k).
    Returns ``(0.0, 1.0)`` when ``n == 0``.
    """
    _check(successes, n, confidence)
    if n == 0:
        return 0.0, 1.0
    alpha = 1.0 - confidence
    k = successes
    lower = 0.0 if k == 0 else beta_quantile(alpha / 2.0, k, n - k + 1)
    upper = 1.0 if k == n else beta_quantile(1.0 - alpha / 2.0, k + 1, n - k)
    return lower, upper


def proportion_interval(
    successes: int, n: int, confidence: float = 0.95, method: IntervalMethod = "wilson"
) -> tuple[float, float]:
    """Dispatch to :func:`wilson_interval` or :func:`clopper_pearson_interval` by name."""
    if method == "wilson":
        return wilson_interval(successes, n, confidence)
    if method == "clopper_pearson":
        return clopper_pearson_interval(successes, n, confidence)
    raise ValueError(f"unknown interval method {method!r}; use 'wilson' or 'clopper_pearson'")
