"""Confidence intervals against published values and against the binomial distribution itself."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protege.evaluate.stats import (
    beta_quantile,
    clopper_pearson_interval,
    proportion_interval,
    regularized_incomplete_beta,
    wilson_interval,
)


def binomial_tail_at_least(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))


def binomial_cdf(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(0, k + 1))


def test_wilson_90_of_100_matches_the_textbook_value():
    lower, upper = wilson_interval(90, 100, 0.95)
    assert lower == pytest.approx(0.8256343, abs=1e-6)
    assert upper == pytest.approx(0.9447709, abs=1e-6)


def test_wilson_closed_form_at_the_edges():
    # k = 0: upper = z^2 / (n + z^2); k = n: lower = n / (n + z^2)
    z = 1.959963984540054
    assert wilson_interval(0, 20) == (0.0, pytest.approx(z * z / (20 + z * z), abs=1e-12))
    assert wilson_interval(20, 20) == (pytest.approx(20 / (20 + z * z), abs=1e-12), 1.0)


def test_clopper_pearson_matches_r_binom_test():
    # R: binom.test(7, 10)$conf.int and binom.test(90, 100)$conf.int
    assert clopper_pearson_interval(7, 10) == (
        pytest.approx(0.3475471, abs=1e-6),
        pytest.approx(0.9332605, abs=1e-6),
    )
    assert clopper_pearson_interval(90, 100) == (
        pytest.approx(0.8237774, abs=1e-6),
        pytest.approx(0.9509953, abs=1e-6),
    )


def test_clopper_pearson_closed_form_at_the_edges():
    assert clopper_pearson_interval(0, 10) == (0.0, pytest.approx(1 - 0.025 ** (1 / 10), abs=1e-12))
    assert clopper_pearson_interval(10, 10) == (pytest.approx(0.025 ** (1 / 10), abs=1e-12), 1.0)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=300).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))))
def test_clopper_pearson_bounds_invert_the_binomial_test(kn):
    k, n = kn
    lower, upper = clopper_pearson_interval(k, n, 0.95)
    if k > 0:
        assert binomial_tail_at_least(k, n, lower) == pytest.approx(0.025, abs=1e-9)
    if k < n:
        assert binomial_cdf(k, n, upper) == pytest.approx(0.025, abs=1e-9)
    w_lower, w_upper = wilson_interval(k, n, 0.95)
    assert lower <= k / n <= upper
    assert w_lower <= k / n <= w_upper


def test_incomplete_beta_known_values():
    assert regularized_incomplete_beta(0.3, 1, 1) == pytest.approx(0.3, abs=1e-14)
    # I_0.3(2, 3) = P(Binomial(4, 0.3) >= 2) = 0.3483
    assert regularized_incomplete_beta(0.3, 2, 3) == pytest.approx(0.3483, abs=1e-12)
    assert regularized_incomplete_beta(0.5, 50, 50) == pytest.approx(0.5, abs=1e-12)
    assert beta_quantile(0.5, 7, 7) == pytest.approx(0.5, abs=1e-12)


def test_intervals_with_no_trials_and_bad_inputs():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert clopper_pearson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError, match="successes <= n"):
        wilson_interval(5, 4)
    with pytest.raises(ValueError, match="confidence"):
        clopper_pearson_interval(1, 4, 95)
    with pytest.raises(ValueError, match="wilson"):
        proportion_interval(1, 4, 0.95, "normal")  # type: ignore[arg-type]


def test_higher_confidence_gives_a_wider_interval():
    for method in ("wilson", "clopper_pearson"):
        lo90, hi90 = proportion_interval(45, 50, 0.90, method)
        lo99, hi99 = proportion_interval(45, 50, 0.99, method)
        assert lo99 < lo90 < 0.9 < hi90 < hi99
