"""Sampling-plan arithmetic and hash-based Poisson sampling (orchestration/sampling.py), without a
warehouse: a textbook Cochran example, hand-worked budget allocations, and properties of the draw
(hypothesis): realised rates converge to the planned rate, samples at a lower rate nest inside
samples at a higher one, and the draws are uniform."""

from __future__ import annotations

import hashlib
import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import kstest

from orchestration.sampling import (
    Stratum,
    allocate,
    cochran_sample_size,
    finite_population_correction,
    inclusion_draw,
    is_sampled,
    poisson_sample,
)

DAY = date(2026, 9, 14)


def stratum(name: str, population: int, p: float = 0.5) -> Stratum:
    vendor, queue, market = name.split("|")
    return Stratum(name, vendor, queue, market, population, p)


def test_cochran_textbook_example():
    # Cochran (1977); Israel (1992) "Determining Sample Size", Table 1: ±5 %, 95 % (z = 1.96), p = 0.5:
    # n0 = 1.96² · 0.25 / 0.05² = 384.16, and for N = 1000 the corrected n = 277.7 → 278 interviews.
    n0 = cochran_sample_size(0.5, 0.05, z=1.96)
    assert n0 == pytest.approx(384.16, abs=1e-9)
    n = finite_population_correction(n0, 1000)
    assert n == pytest.approx(384.16 / (1 + 383.16 / 1000), abs=1e-9)
    assert math.ceil(n) == 278
    # A census-sized need never exceeds the population: N = 1 needs exactly 1.
    assert finite_population_correction(n0, 1) == pytest.approx(1.0, abs=1e-12)


def test_allocation_scales_every_stratum_alike_when_the_budget_binds():
    # z = 2, e = 1/8, p = 1/2 → n0 = 4 · 1/4 · 64 = 64; N = 63 → 64 / (1 + 63/63) = 32; N = 21 → 64 / 4 = 16.
    strata = [stratum("acme|ads_standard|US", 63), stratum("globex|ads_standard|BR", 21)]
    binding = allocate(strata, budget=24, half_width=0.125, z=2)
    assert [a.cochran_sample_size for a in binding] == [64.0, 64.0]
    assert [a.required_audits for a in binding] == [32.0, 16.0]
    assert [a.planned_audits for a in binding] == [16.0, 8.0]
    assert [a.sampling_rate for a in binding] == pytest.approx([16 / 63, 8 / 21], abs=1e-15)
    # Under budget the need is met as is (the budget is a cap, not a quota).
    loose = allocate(strata, budget=100, half_width=0.125, z=2)
    assert [a.planned_audits for a in loose] == [32.0, 16.0]


def test_riskier_and_less_known_strata_get_higher_rates():
    # Same population: p closer to 0.5 (a higher error rate, or a wider interval) needs more audits.
    strata = [stratum("a|q|US", 500, p=0.05), stratum("b|q|US", 500, p=0.2), stratum("c|q|US", 500, p=0.5)]
    rates = [a.sampling_rate for a in allocate(strata, budget=150, half_width=0.05)]
    assert rates[0] < rates[1] < rates[2]
    assert sum(a.planned_audits for a in allocate(strata, budget=150, half_width=0.05)) == pytest.approx(150)


def test_allocate_rejects_nonsense():
    with pytest.raises(ValueError, match="budget"):
        allocate([stratum("a|q|US", 10)], budget=0, half_width=0.05)
    with pytest.raises(ValueError, match="half-width"):
        allocate([stratum("a|q|US", 10)], budget=5, half_width=1.5)


def test_inclusion_draw_is_the_documented_sha256_prefix():
    for decision_id in ("dec-1", "dec-20260914-0000042-1", "ünïcode"):
        text = f"pepper|{DAY.isoformat()}|{decision_id}"
        expected = int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:16], 16) / 2**64
        assert inclusion_draw(decision_id, DAY, "pepper") == expected
        assert 0 <= expected < 1


@settings(max_examples=40, deadline=None, derandomize=True)
@given(rate=st.floats(min_value=0.01, max_value=0.99), salt=st.text(min_size=1, max_size=12),
       offset=st.integers(min_value=0, max_value=10**6))
def test_realised_rate_converges_to_the_planned_rate(rate, salt, offset):
    n = 5000
    ids = [f"dec-{offset + k}" for k in range(n)]
    drawn = sum(is_sampled(decision_id, DAY, rate, salt) for decision_id in ids)
    # Binomial(n, rate): 5 standard deviations (false alarm ~6e-7 per example).
    assert abs(drawn - n * rate) <= 5 * math.sqrt(n * rate * (1 - rate)) + 1


@settings(max_examples=25, deadline=None, derandomize=True)
@given(low=st.floats(min_value=0.0, max_value=1.0), high=st.floats(min_value=0.0, max_value=1.0),
       salt=st.text(max_size=8))
def test_samples_at_a_lower_rate_nest_inside_samples_at_a_higher_rate(low, high, salt):
    low, high = min(low, high), max(low, high)
    ids = [f"dec-{k}" for k in range(400)]
    at_low = {d for d in ids if is_sampled(d, DAY, low, salt)}
    at_high = {d for d in ids if is_sampled(d, DAY, high, salt)}
    assert at_low <= at_high


def test_draws_are_uniform_and_strata_rates_hold():
    draws = [inclusion_draw(f"dec-{k}", DAY) for k in range(20000)]
    assert kstest(draws, "uniform").pvalue > 1e-3
    rates = {"a|q|US": 0.05, "b|q|US": 0.5}
    decisions = [(f"dec-{k}", "a|q|US" if k % 2 else "b|q|US") for k in range(40000)]
    rows = poisson_sample(decisions, rates, DAY)
    assert [r.decision_id for r in rows] == sorted(r.decision_id for r in rows)
    for stratum_id, rate in rates.items():
        drawn = sum(r.stratum_id == stratum_id for r in rows)
        assert abs(drawn - 20000 * rate) <= 5 * math.sqrt(20000 * rate * (1 - rate))
        assert all(r.sampling_rate == rate for r in rows if r.stratum_id == stratum_id)
