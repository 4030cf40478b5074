"""Decision-grade statistics (issue 17): every verdict a QA manager acts on respects its uncertainty.

Two kinds of evidence. Oracles: the marts of one small warehouse built by the real pipeline
(tests/conftest.py) against independent computations - scipy (t quantiles, exact binomial tests, beta
CDFs), statsmodels (Wilson, Benjamini–Hochberg, Fleiss' κ), samplics (clustered Taylor variance),
krippendorff, hand-worked cases. Promises: seeded simulations whose truth the test writes itself, run
through the marts' own compiled SQL (`run_model`: the model dbt compiled for that warehouse, its input
relations replaced by simulated tables), so the SQL that publishes a verdict is the SQL under test.
Every simulation prints its figures and seed (`pytest -s`).
"""

from __future__ import annotations

import hashlib
import math
import re
from fractions import Fraction
from pathlib import Path

import duckdb
import krippendorff
import numpy as np
import pandas as pd
import pytest
import yaml
from samplics.estimation import TaylorEstimator
from samplics.utils.types import PopParam
from scipy import stats
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from orchestration.project import PROJECT_DIR, layout

pytestmark = pytest.mark.slow
VARS = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
Z = VARS["confidence_z"]
MIN_N = VARS["min_effective_sample_size"]
RELATION = re.compile(r'"build"\."(\w+)"\."(\w+)"')


# ------------------------------------------------------------------------------------------ harness --


def compiled_sql(warehouse: Path, model: str) -> str:
    """The SQL dbt compiled for `model` when it built this warehouse."""
    (path,) = layout(warehouse).dbt_target_dir.glob(f"compiled/modqa/models/**/{model}.sql")
    return path.read_text()


def run_model(warehouse: Path, model: str, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Run a mart's compiled SQL with its inputs replaced: every relation it reads is created empty with
    the built warehouse's columns and types, then filled from `tables` (by name) when given."""
    sql = compiled_sql(warehouse, model)
    con = duckdb.connect()
    try:
        con.execute(f"attach '{layout(warehouse).build_database}' as source (read_only)")
        con.execute("attach ':memory:' as build")
        for schema, name in sorted(set(RELATION.findall(sql))):
            con.execute(f"create schema if not exists build.{schema}")
            con.execute(f"create table build.{schema}.{name} as select * from source.{schema}.{name} limit 0")
            if name in tables:
                frame = tables[name]
                con.register("frame", frame)
                columns = ", ".join(frame.columns)
                con.execute(f"insert into build.{schema}.{name} ({columns}) select {columns} from frame")
                con.unregister("frame")
        return con.execute(sql).df()
    finally:
        con.close()


def published(warehouse: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(layout(warehouse).published_database), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def t_expansion(df) -> np.ndarray:
    """The macro student_t_quantile's formula (read from it below), for checking against scipy."""
    x, nu = Z, np.asarray(df, dtype=float)
    return (x + (x**3 + x) / 4 / nu + (5 * x**5 + 16 * x**3 + 3 * x) / 96 / nu**2
            + (3 * x**7 + 19 * x**5 + 17 * x**3 - 15 * x) / 384 / nu**3
            + (79 * x**9 + 776 * x**7 + 1482 * x**5 - 1920 * x**3 - 945 * x) / 92160 / nu**4)


def korn_graubard_wilson(p: float, variance: float, n: int,
                         units: int | None = None) -> tuple[float, float, float]:
    """Independent Korn–Graubard interval: n* = p(1 − p)/v capped at n, × (z / t_{units−1})² with scipy's
    exact t quantile, Wilson (statsmodels) on it."""
    units = n if units is None else units
    n_star = float(n) if variance <= 0 else min(float(n), p * (1 - p) / variance)
    n_star *= (Z / stats.t.ppf(0.975, units - 1)) ** 2
    low, high = proportion_confint(p * n_star, n_star, alpha=0.05, method="wilson")
    return n_star, max(0.0, low), min(1.0, high)


# --------------------------------------------------------------------- t quantile and the variance --


def test_t_quantile_macro_against_scipy():
    macro = (PROJECT_DIR / "macros" / "student_t_quantile.sql").read_text()
    for coefficient in ("(power({{ x }}, 3) + {{ x }}) / 4", "/ 92160 / power({{ nu }}, 4)"):
        assert coefficient in macro  # the expansion below is the macro's
    bounds = {3: 1.3e-3, 5: 1.1e-4, 10: 4e-6, 29: 2e-8, 100: 1e-10}
    for smallest, bound in bounds.items():
        df = np.arange(smallest, 5000)
        exact = stats.t.ppf(0.975, df)
        assert np.max(np.abs(t_expansion(df) - exact) / exact) < bound, smallest
    assert t_expansion(1) < stats.t.ppf(0.975, 1)  # documented: understates t for df 1 and 2


def test_poisson_ratio_variance_hand_worked_and_against_the_horvitz_thompson_double_sum(built_warehouse):
    # Hand-worked: four sampled units, π = 1/2, 1/4, 1/5, 1/10; y = 1, 0, 1, 0 (numerator), all in the
    # denominator. R = 7/21 = 1/3; e = 2/3 or −1/3; Σ(1 − π)w²e² = (2·4 + 12·1 + 20·4 + 90·1)/9 = 190/9;
    # v = 190/9 / 21² = 190/3969.
    w = [Fraction(2), Fraction(4), Fraction(5), Fraction(10)]
    y = [1, 0, 1, 0]
    ratio = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum(w)
    hand = sum((wi * wi - wi) * (yi - ratio) ** 2 for wi, yi in zip(w, y, strict=True)) / sum(w) ** 2
    assert hand == Fraction(190, 3969)
    rng = np.random.default_rng(17)
    cases = [(7.0, 29.0, 21.0, 145.0, float(hand))]
    for _ in range(200):
        n = int(rng.integers(2, 60))
        weights = 1 / rng.uniform(0.01, 1.0, n)
        outcome = rng.random(n) < rng.uniform(0, 1)
        pi = 1 / weights
        ratio = weights[outcome].sum() / weights.sum()
        z = (outcome - ratio) / weights.sum()
        # Horvitz–Thompson variance estimator, Σ_k Σ_l (π_kl − π_k π_l)/π_kl · (z_k/π_k)(z_l/π_l), with the
        # Poisson design's joint probabilities π_kl = π_k π_l (k ≠ l), π_kk = π_k.
        joint = np.outer(pi, pi)
        np.fill_diagonal(joint, pi)
        delta = (joint - np.outer(pi, pi)) / joint
        double_sum = float((np.outer(z / pi, z / pi) * delta).sum())
        cases.append((weights[outcome].sum(), (weights[outcome] ** 2).sum(), weights.sum(), (weights**2).sum(),
                      double_sum))
    frame = pd.DataFrame(cases, columns=["num_w", "num_w2", "den_w", "den_w2", "expected"])
    sql = compiled_sql(built_warehouse, "agg_quality_daily")
    # the variance expression the mart uses for the FPR, rebuilt for these columns from the macro
    macro = _render_variance()
    con = duckdb.connect()
    con.register("cases", frame)
    got = con.execute(f"select {macro} as v, expected from cases").df()
    con.close()
    np.testing.assert_allclose(got["v"], got["expected"], rtol=1e-9, atol=1e-15)
    assert "squared_weight_false_positives" in sql  # the mart feeds the macro the classes' Σw²


def _render_variance() -> str:
    """macros/poisson_ratio_variance.sql rendered for columns num_w, num_w2, den_w, den_w2 (jinja2, the
    engine dbt renders with)."""
    import jinja2

    source = (PROJECT_DIR / "macros" / "poisson_ratio_variance.sql").read_text()
    module = jinja2.Environment().from_string(source).module
    return str(module.poisson_ratio_variance("num_w", "num_w2", "den_w", "den_w2"))


def test_weighted_rates_in_the_marts_match_an_independent_korn_graubard_computation(built_warehouse):
    decisions = published(built_warehouse, "select * from marts.fct_decisions where is_in_sample")
    summary = published(built_warehouse, "select * from marts.agg_quality_summary").set_index(
        ["scope_type", "scope_value"])
    checked = 0
    for scope_type, column in (("global", None), ("vendor", "vendor_id"), ("queue", "queue_id")):
        groups = [("all", decisions)] if column is None else list(decisions.groupby(column))
        for scope_value, group in groups:
            row = summary.loc[(scope_type, scope_value)]
            for name, numerator, denominator, suffix in (
                    ("weighted_accuracy", ("TP", "TN"), ("TP", "FP", "FN", "TN"), ""),
                    ("weighted_false_positive_rate", ("FP",), ("FP", "TN"), "_negatives"),
                    ("weighted_false_negative_rate", ("FN",), ("FN", "TP"), "_positives")):
                base = group[group["outcome"].isin(denominator)]
                if len(base) < 30:
                    continue
                w = base["sampling_weight"].to_numpy()
                y = base["outcome"].isin(numerator).to_numpy()
                p = w[y].sum() / w.sum()
                variance = float(((1 - 1 / w) * w * w * (y - p) ** 2).sum() / w.sum() ** 2)
                n_star, low, high = korn_graubard_wilson(p, variance, len(base))
                # scipy's exact t against the macro's expansion: 2e-8 relative at df 29, 1e-10 from df 100
                tolerance = 1e-9 if len(base) > 100 else 1e-7
                assert abs(row[name] - p) < 1e-12
                assert abs(row[f"design_effective_sample_size{suffix}"] - n_star) < tolerance * n_star, scope_value
                assert abs(row[f"{name}_ci_low"] - low) < tolerance
                assert abs(row[f"{name}_ci_high"] - high) < tolerance
                checked += 1
    assert checked >= 20


def test_weighted_interval_coverage_by_simulation(built_warehouse):
    """Many population cells (sparse and dense, weights correlated with the outcome either way), Poisson
    samples at known rates, intervals from the real int_kpi_values_monthly SQL; the truth is the cell's
    population rate, written here."""
    seed, replicates = 20260917, 300
    rng = np.random.default_rng(seed)
    rows, truths = [], {}
    cells = 0
    for size in (1000, 2500, 6000, 15000):
        for correlation in ("negative", "positive", "none"):
            for base_fpr, base_fnr in ((0.03, 0.15), (0.08, 0.30)):
                cells += 1
                strata = 5
                # audit rates of the sampling plan's range (the generator's: 2 % to 12 %)
                rates = rng.choice([0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.10, 0.12], size=strata, replace=False)
                order = np.argsort(rates) if correlation != "positive" else np.argsort(-rates)
                multiplier = np.linspace(0.4, 2.0, strata)[np.argsort(order)] if correlation != "none" \
                    else np.ones(strata)
                stratum = rng.integers(0, strata, size)
                violating = rng.random(size) < 0.2
                fpr, fnr = base_fpr * multiplier[stratum], np.minimum(0.9, base_fnr * multiplier[stratum])
                wrong = np.where(violating, rng.random(size) < fnr, rng.random(size) < fpr)
                outcome = np.where(violating, np.where(wrong, "FN", "TP"), np.where(wrong, "FP", "TN"))
                pi = rates[stratum]
                truths[cells] = {"false_positive_rate": (outcome == "FP").sum() / (~violating).sum(),
                                 "false_negative_rate": (outcome == "FN").sum() / violating.sum(),
                                 "accuracy": (~wrong).mean()}
                for replicate in range(replicates):
                    drawn = rng.random(size) < pi
                    w = 1 / pi[drawn]
                    row = {"decision_date": pd.Timestamp("2026-10-01"), "vendor_id": f"c{cells}-r{replicate}",
                           "queue_id": "q", "market": "US", "decisions": size, "in_sample": int(drawn.sum())}
                    for cls, name in (("TP", "true_positives"), ("FP", "false_positives"),
                                      ("FN", "false_negatives"), ("TN", "true_negatives")):
                        mask = outcome[drawn] == cls
                        row[name] = int(mask.sum())
                        row[f"weighted_{name}"] = float(w[mask].sum())
                        row[f"squared_weight_{name}"] = float((w[mask] ** 2).sum())
                    rows.append(row)
    daily = pd.DataFrame(rows)
    values = run_model(built_warehouse, "int_kpi_values_monthly", {"agg_quality_daily": daily})
    values = values[values["scope_type"] == "vendor"].copy()
    values["cell"] = values["scope_value"].str.extract(r"^c(\d+)-")[0].astype(int)
    report = []
    for metric in ("accuracy", "false_positive_rate", "false_negative_rate"):
        part = values[(values["metric"] == metric) & values["value"].notna()].copy()
        part["truth"] = part["cell"].map(lambda c, m=metric: truths[c][m])
        part["covered"] = (part["ci_lower"] <= part["truth"]) & (part["truth"] <= part["ci_upper"])
        published_part = part[part["design_effective_sample_size"] >= MIN_N]
        by_cell = published_part.groupby("cell")["covered"].mean()
        report.append((metric, len(part), part["covered"].mean(), len(published_part), published_part["covered"].mean(),
                       by_cell.min()))
        assert published_part["covered"].mean() >= 0.94, (metric, published_part["covered"].mean())
    print(f"\ncoverage (seed {seed}, {cells} cells × {replicates} Poisson samples):")
    for metric, n_all, all_cov, n_pub, pub_cov, worst in report:
        print(f"  {metric}: all intervals {all_cov:.4f} (n={n_all}); n* ≥ {MIN_N} {pub_cov:.4f} (n={n_pub}); "
              f"worst cell {worst:.3f}")


# ----------------------------------------------------------------------------------------- KPI verdicts --


def test_kpi_verdicts_follow_their_intervals_and_are_rarely_wrong_about_the_truth(built_warehouse):
    """KPI values with known truth (seeded), judged by the real agg_kpi_attainment_monthly SQL: no verdict
    contradicts its interval, and met/missed are wrong about the truth at most 2.5 % + noise of the time."""
    seed = 4242
    rng = np.random.default_rng(seed)
    targets = pd.read_csv(PROJECT_DIR / "seeds" / "kpi_targets.csv")
    target = targets[(targets.metric == "false_positive_rate") & (targets.scope_type == "global")].iloc[0]
    rows, truth = [], {}
    for index in range(4000):
        p = rng.choice([0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.05])
        n = int(rng.choice([300, 800, 2000, 6000]))
        x = rng.binomial(n, p)
        value = x / n
        n_star = n * (Z / stats.t.ppf(0.975, n - 1)) ** 2
        low, high = proportion_confint(value * n_star, n_star, alpha=0.05, method="wilson")
        key = f"v{index}"
        truth[key] = p
        rows.append({"month_start_date": pd.Timestamp("2026-10-01"), "metric": "false_positive_rate",
                     "scope_type": "vendor", "scope_value": key, "value": value, "ci_lower": low, "ci_upper": high,
                     "interval_method": "wilson_weighted", "sample_size": n, "effective_sample_size": float(n),
                     "design_effective_sample_size": n_star})
    kpi_targets = pd.DataFrame([{"kpi_target_id": f"t{i}", "metric": "false_positive_rate", "scope_type": "vendor",
                                 "scope_value": key, "period": "monthly", "target": target["target"],
                                 "stretch": target["stretch"], "direction": target["direction"]}
                                for i, key in enumerate(truth)])
    judged = run_model(built_warehouse, "agg_kpi_attainment_monthly",
                       {"int_kpi_values_monthly": pd.DataFrame(rows), "stg_reference__kpi_targets": kpi_targets})
    judged["truth"] = judged["scope_value"].map(truth)
    t, s = target["target"], target["stretch"]
    met = judged["status"].isin(["met", "stretch_met"])
    assert (judged.loc[met, "ci_upper"] <= t + 1e-15).all()
    assert (judged.loc[judged["status"] == "missed", "ci_lower"] > t).all()
    inconclusive = judged["status"] == "inconclusive"
    assert ((judged.loc[inconclusive, "ci_lower"] <= t) & (t <= judged.loc[inconclusive, "ci_upper"])).all()
    wrong_met = (met & (judged["truth"] > t)).sum() / max(1, (judged["truth"] > t).sum())
    missed, stretch = judged["status"] == "missed", judged["status"] == "stretch_met"
    wrong_missed = (missed & (judged["truth"] <= t)).sum() / max(1, (judged["truth"] <= t).sum())
    wrong_stretch = (stretch & (judged["truth"] > s)).sum() / max(1, (judged["truth"] > s).sum())
    print(f"\nKPI verdicts (seed {seed}, 4000 values): wrong 'met' {wrong_met:.4f}, wrong 'missed' "
          f"{wrong_missed:.4f}, wrong 'stretch_met' {wrong_stretch:.4f}; "
          f"statuses {judged['status'].value_counts().to_dict()}")
    assert wrong_met <= 0.03 and wrong_missed <= 0.03 and wrong_stretch <= 0.03
    assert {"met", "missed", "inconclusive", "insufficient_sample"} <= set(judged["status"])


def test_published_kpi_rows_respect_the_rules(built_warehouse):
    kpis = published(built_warehouse, "select * from marts.agg_kpi_attainment_monthly")
    judged = kpis[kpis["status"].isin(["met", "stretch_met", "missed", "inconclusive"])]
    assert len(judged) > 0
    assert (kpis.loc[kpis["is_suppressed"], "value"].isna()).all()
    weighted = kpis[(kpis["interval_method"] == "wilson_weighted") & kpis["sample_size"].notna()]
    assert (weighted["is_suppressed"] == (weighted["design_effective_sample_size"] < MIN_N)).all()
    # the warehouse's last days are not mature: its single month is provisional everywhere
    assert not kpis["is_complete_period"].any()


# ------------------------------------------------------------------------------------- maturity, totals --


def test_maturity_and_calibrated_totals(built_warehouse):
    audits = published(built_warehouse, "select audit_date from marts.fct_qa_audits where audit_type = 'random'")
    horizon = pd.to_datetime(audits["audit_date"]).max() - pd.Timedelta(days=VARS["audit_lag_days"])
    daily = published(built_warehouse, "select * from marts.agg_quality_daily")
    daily["decision_date"] = pd.to_datetime(daily["decision_date"])
    assert (daily["is_mature"] == (daily["decision_date"] <= horizon)).all()
    assert daily["is_mature"].any() and not daily["is_mature"].all()
    sampled = daily[daily["in_sample"] > 0]
    expected = sampled["decisions"] * (sampled["weighted_false_positives"] + sampled["weighted_false_negatives"]) \
        / sampled["sum_w"]
    np.testing.assert_allclose(sampled["estimated_wrong_decisions"], expected, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(sampled["estimated_wrong_decisions_lower"],
                               sampled["decisions"] * (1 - sampled["weighted_accuracy_ci_high"]), rtol=1e-9, atol=1e-9)


# ----------------------------------------------------------------------------------------- control charts --


def _lindley(increments: np.ndarray) -> np.ndarray:
    statistic, out = 0.0, []
    for w in increments:  # the recursion itself, step by step
        statistic = max(0.0, statistic + w)
        out.append(statistic)
    return np.array(out)


def test_cusum_matches_a_step_by_step_recomputation(built_warehouse):
    decisions = published(built_warehouse, "select * from marts.fct_decisions where is_in_sample")
    chart = published(built_warehouse, "select * from marts.agg_quality_control_chart")
    days, margin, r = VARS["control_chart_baseline_days"], VARS["control_chart_baseline_margin_se"], \
        VARS["control_chart_shift_odds_ratio"]
    metrics = {"error_rate": (("FP", "FN"), ("TP", "FP", "FN", "TN")), "false_positive_rate": (("FP",), ("FP", "TN")),
               "false_negative_rate": (("FN",), ("FN", "TP"))}
    checked = 0
    for scope_type, column in (("vendor", "vendor_id"), ("queue", "queue_id")):
        for (scope_value, metric), rows in chart.groupby(["scope_value", "metric"]):
            if rows["chart_scope_type"].iloc[0] != scope_type and (rows["chart_scope_type"] != scope_type).all():
                continue
            rows = rows[rows["chart_scope_type"] == scope_type].sort_values("decision_date")
            if rows.empty:
                continue
            events_classes, trial_classes = metrics[metric]
            group = decisions[(decisions[column] == scope_value) & decisions["outcome"].isin(trial_classes)]
            per_day = group.groupby("decision_date").agg(n=("outcome", "size"),
                                                         x=("outcome", lambda o, e=events_classes: o.isin(e).sum()))
            start = per_day.index.min()
            base = per_day[per_day.index <= start + pd.Timedelta(days=days - 1)]
            p = (base["x"].sum() + 0.5) / (base["n"].sum() + 1)
            p0 = p + margin * math.sqrt(p * (1 - p) / base["n"].sum())
            w = per_day["x"] * math.log(r) - per_day["n"] * math.log(1 - p0 + r * p0)
            expected = _lindley(w.to_numpy())
            assert list(rows["trials"]) == list(per_day["n"])
            np.testing.assert_allclose(rows["reference_rate"], p0, rtol=1e-12)
            np.testing.assert_allclose(rows["cusum_statistic"], expected, rtol=1e-9, atol=1e-9)
            assert list(rows["is_out_of_control"]) == list(expected > VARS["control_chart_threshold"])
            checked += 1
    assert checked >= 25


def _simulated_charts(rng, charts: int, days: int, audits_per_day: float, shift_from: int | None,
                      fpr: float = 0.03, fnr: float = 0.15, prevalence: float = 0.15) -> pd.DataFrame:
    """Daily audited outcomes of `charts` vendors (each its own queue): n ~ Poisson(audits_per_day), a share
    `prevalence` truly violating, FP and FN at the given rates; FPR × 4 from day `shift_from` on."""
    n = rng.poisson(audits_per_day, (charts, days))
    positives = rng.binomial(n, prevalence)
    fn = rng.binomial(positives, fnr)
    day_fpr = np.full((charts, days), fpr)
    if shift_from is not None:
        day_fpr[:, shift_from:] = fpr * 4
    fp = rng.binomial(n - positives, day_fpr)
    vendor = np.repeat([f"v{chart:04d}" for chart in range(charts)], days)
    return pd.DataFrame({
        "decision_date": np.tile(pd.date_range("2026-01-01", periods=days), charts), "vendor_id": vendor,
        "queue_id": vendor, "market": "US", "in_sample": n.ravel(), "true_positives": (positives - fn).ravel(),
        "false_positives": fp.ravel(), "false_negatives": fn.ravel(), "true_negatives": (n - positives - fp).ravel()})


def test_control_chart_promise_by_simulation(built_warehouse):
    """The promise of DESIGN §4, through the real agg_quality_control_chart SQL: an unchanged process at
    ~20 audits per vendor-day flags at most 1 % of chart-days; a quadrupled FPR is flagged within 10 days."""
    seed = 1717
    rng = np.random.default_rng(seed)
    days, charts = 120, 1000
    calm = run_model(built_warehouse, "agg_quality_control_chart",
                     {"agg_quality_daily": _simulated_charts(rng, charts, days, 20, None)})
    calm = calm[calm["chart_scope_type"] == "vendor"]
    flagged = calm.groupby("metric")["is_out_of_control"].mean()
    first = calm[calm["is_out_of_control"]].groupby(["scope_value", "metric"])["decision_date"].min()
    charts_flagged = first.groupby(level="metric").size() / charts
    shift_day = VARS["control_chart_baseline_days"] + 12
    shifted = run_model(built_warehouse, "agg_quality_control_chart",
                        {"agg_quality_daily": _simulated_charts(rng, charts, shift_day + 30, 20, shift_day)})
    fpr = shifted[(shifted["chart_scope_type"] == "vendor") & (shifted["metric"] == "false_positive_rate")].copy()
    fpr["day"] = (fpr["decision_date"] - fpr["decision_date"].min()).dt.days
    after = fpr[(fpr["day"] >= shift_day) & fpr["is_out_of_control"]]  # days counted from 0
    delay = (after.groupby("scope_value")["day"].min() - shift_day + 1).reindex(fpr["scope_value"].unique())
    within_10 = float((delay <= 10).mean())
    before = fpr[(fpr["day"] < shift_day) & fpr["is_out_of_control"]]["scope_value"].nunique() / charts
    print(f"\ncontrol chart (seed {seed}; {charts} vendor charts × {days} days at ~20 audits/day): flagged share of "
          f"in-control chart-days {flagged.round(4).to_dict()}, overall {calm['is_out_of_control'].mean():.4f}; "
          f"charts with any flag {charts_flagged.round(3).to_dict()}; 4× FPR from day {shift_day + 1}: flagged within "
          f"10 days {within_10:.3f}, median delay {delay.median():.0f} days, "
          f"charts flagged before the shift {before:.3f}")
    assert calm["is_out_of_control"].mean() <= 0.01 and (flagged <= 0.01).all()
    assert within_10 >= 0.9


# --------------------------------------------------------------------------------------------- calibration --


def _panel_labels(warehouse: Path) -> pd.DataFrame:
    labels = published(warehouse, "select * from marts.fct_calibration_labels where not is_expert")
    labels["label"] = np.where(labels["verdict"] == "reject", labels["policy_code"].fillna("UNSPECIFIED"), "approve")
    return labels


def test_calibration_bootstrap_is_reproducible_from_the_seed(built_warehouse):
    labels = _panel_labels(built_warehouse)
    sessions = published(built_warehouse, "select * from marts.agg_calibration_sessions").set_index("session_id")
    seed, replicates = VARS["calibration_bootstrap_seed"], VARS["calibration_bootstrap_replicates"]
    checked = 0
    for session_id in sorted(labels["session_id"].unique())[:3]:
        group = labels[labels["session_id"] == session_id]
        counts = group.groupby("item_id").size()
        items = sorted(counts[counts >= 2].index)
        if len(items) < 2:
            continue
        for scale, prefix in (("verdict", ""), ("label", "label_")):
            table = group.pivot(index="item_id", columns="rater_id", values=scale).loc[items]
            values = table.to_numpy().ravel()
            codes = {c: i for i, c in enumerate(sorted(pd.unique(values[pd.notna(values)])))}
            numeric = table.apply(lambda col, m=codes: col.map(m)).to_numpy(dtype=float)
            kappas, alphas = [], []
            for b in range(1, replicates + 1):
                drawn = [int(int(hashlib.md5(f"{seed}|{session_id}|{b}|{j}".encode()).hexdigest()[:13], 16)
                             / 2**52 * len(items)) for j in range(1, len(items) + 1)]
                sample = numeric[drawn]
                category_counts = np.stack([(sample == c).sum(axis=1) for c in range(len(codes))], axis=1)
                if len(np.unique(sample[~np.isnan(sample)])) > 1:
                    kappas.append(_fleiss_unbalanced(category_counts))
                    alphas.append(krippendorff.alpha(reliability_data=sample.T, level_of_measurement="nominal"))
            row = sessions.loc[session_id]
            assert abs(row[f"{prefix}fleiss_kappa_ci_lower"] - np.percentile(kappas, 2.5)) < 1e-9
            assert abs(row[f"{prefix}fleiss_kappa_ci_upper"] - np.percentile(kappas, 97.5)) < 1e-9
            assert abs(row[f"{prefix}krippendorff_alpha_ci_lower"] - np.percentile(alphas, 2.5)) < 1e-9
            assert abs(row[f"{prefix}krippendorff_alpha_ci_upper"] - np.percentile(alphas, 97.5)) < 1e-9
            checked += 1
    assert checked >= 4


def _fleiss_unbalanced(counts: np.ndarray) -> float:
    """Fleiss' κ with P̄_e from pooled labels (the mart's rule for unequal labels per item); equals
    statsmodels fleiss_kappa when every item has the same number of labels (asserted below)."""
    n_i = counts.sum(axis=1)
    p_i = ((counts**2).sum(axis=1) - n_i) / (n_i * (n_i - 1))
    p_c = counts.sum(axis=0) / n_i.sum()
    p_bar, p_e = p_i.mean(), (p_c**2).sum()
    kappa = (p_bar - p_e) / (1 - p_e)
    if len(set(n_i)) == 1:
        assert abs(kappa - fleiss_kappa(counts)) < 1e-12
    return kappa


def test_pabak_ac1_and_item_clustered_panel_accuracy(built_warehouse):
    labels = _panel_labels(built_warehouse)
    sessions = published(built_warehouse, "select * from marts.agg_calibration_sessions").set_index("session_id")
    checked = 0
    for session_id, group in labels.groupby("session_id"):
        row = sessions.loc[session_id]
        per_item = group.groupby("item_id").agg(n=("verdict", "size"),
                                                rejects=("verdict", lambda v: (v == "reject").sum()))
        pairable = per_item[per_item["n"] >= 2]
        if pairable.empty:
            continue
        table, _ = aggregate_raters(group.pivot(index="item_id", columns="rater_id", values="verdict")
                                    .loc[pairable.index].fillna("missing").to_numpy())
        # Gwet (2008) AC1, as in irrCAC::gwet.ac1.raw: p_a over items with ≥ 2 ratings; π_k over rated items.
        agreement = ((pairable["rejects"] * (pairable["rejects"] - 1) + (pairable["n"] - pairable["rejects"])
                      * (pairable["n"] - pairable["rejects"] - 1)) / (pairable["n"] * (pairable["n"] - 1))).mean()
        pi_reject = (per_item["rejects"] / per_item["n"]).mean()
        chance = (pi_reject * (1 - pi_reject) + (1 - pi_reject) * pi_reject) / (2 - 1)
        assert abs(row["gwet_ac1"] - (agreement - chance) / (1 - chance)) < 1e-9
        assert abs(row["prevalence_adjusted_kappa"] - (2 * agreement - 1)) < 1e-9
        assert table is not None
        scored = group[group["expert_verdict"].notna()]
        if scored["item_id"].nunique() >= 2:
            by_item = scored.groupby("item_id")["matches_expert_verdict"].agg(["sum", "size"])
            estimator = TaylorEstimator(PopParam.ratio)
            estimator.estimate(y=by_item["sum"].to_numpy(float), x=by_item["size"].to_numpy(float),
                               psu=by_item.index.to_numpy(), samp_weight=np.ones(len(by_item)))
            p = by_item["sum"].sum() / by_item["size"].sum()
            n_star, low, high = korn_graubard_wilson(p, float(estimator.variance), len(scored), len(by_item))
            tolerance = 1e-5 if len(by_item) < 30 else 1e-9  # the t expansion's error at df = items − 1
            assert abs(row["expert_verdict_accuracy_effective_sample_size"] - n_star) < tolerance * n_star
            assert abs(row["expert_verdict_accuracy_ci_low"] - low) < tolerance
            assert abs(row["expert_verdict_accuracy_ci_high"] - high) < tolerance
        checked += 1
    assert checked >= 4
    latest = sessions[sessions["is_latest_session_for_vendor"]]
    assert latest["vendor_id"].is_unique
    for vendor_id, rows in sessions[sessions["vendor_id"].notna()].groupby("vendor_id"):
        newest = rows.reset_index().sort_values(["session_date", "session_id"]).iloc[-1]["session_id"]
        assert latest.index[latest["vendor_id"] == vendor_id].tolist() == [newest]


def test_rater_drift_exact_mcnemar_with_benjamini_hochberg(built_warehouse):
    labels = _panel_labels(built_warehouse)
    labels = labels[labels["expert_verdict"].notna()]
    labels["session_date"] = pd.to_datetime(labels["session_date"])
    labels["week"] = labels["session_date"] - pd.to_timedelta(labels["session_date"].dt.day_of_week, unit="D")
    labels["month"] = labels["session_date"].dt.to_period("M").dt.start_time
    drift = published(built_warehouse, "select * from marts.agg_calibration_rater_drift")
    drift["period_start_date"] = pd.to_datetime(drift["period_start_date"])
    drift = drift.set_index(["period_type", "period_start_date", "rater_id"])
    fdr = VARS["calibration_drift_false_discovery_rate"]
    tested = 0
    for period_type in ("week", "month"):
        for start, family in labels.groupby(period_type):
            counts = family.groupby("rater_id").apply(lambda g: pd.Series({
                "fp": int(((g["verdict"] == "reject") & (g["expert_verdict"] == "approve")).sum()),
                "fn": int(((g["verdict"] == "approve") & (g["expert_verdict"] == "reject")).sum())}))
            tests = counts[counts["fp"] + counts["fn"] > 0].copy()
            if tests.empty:
                continue
            tests["p"] = [stats.binomtest(int(fp), int(fp + fn), 0.5).pvalue for fp, fn in zip(tests["fp"], tests["fn"],
                                                                                                    strict=True)]
            tests["q"] = multipletests(tests["p"], method="fdr_bh")[1]
            for rater_id, expected in tests.iterrows():
                row = drift.loc[(period_type, start, rater_id)]
                assert abs(row["mcnemar_p_value"] - expected["p"]) < 1e-9
                assert abs(row["mcnemar_q_value"] - expected["q"]) < 1e-9
                call = ("too_strict" if expected["fp"] > expected["fn"] else "too_lenient") \
                    if expected["q"] <= fdr else "balanced"
                assert row["tendency"] == call
                tested += 1
    assert tested > 10


# ---------------------------------------------------------------------------------------------- moderators --


def test_moderator_shrinkage_beats_raw_rates_and_its_probability_matches_scipy(built_warehouse):
    seed = 303
    rng = np.random.default_rng(seed)
    rows, truth = [], {}
    # Two moderators with three audits between them: the method-of-moments ρ comes out above 1 (a bug
    # once made the prior strength negative and the shrunk accuracy fall outside [0, 1]).
    for moderator, outcomes in (("tiny-a", [True, True]), ("tiny-b", [False])):
        truth[moderator] = 0.9
        rows += [{"decision_date": pd.Timestamp("2026-10-05"), "vendor_id": "in_house", "moderator_id": moderator,
                  "is_in_sample": True, "is_automated": False, "is_correct": c} for c in outcomes]
    for vendor, (mean, strength) in {"acme": (0.94, 60), "globex": (0.9, 25), "northwind": (0.96, 150)}.items():
        for m in range(60):
            moderator = f"{vendor}-{m:03d}"
            truth[moderator] = rng.beta(mean * strength, (1 - mean) * strength)
            n = int(rng.choice([2, 3, 5, 8, 12, 20, 40, 80]))
            correct = rng.random(n) < truth[moderator]
            rows += [{"decision_date": pd.Timestamp("2026-10-05"), "vendor_id": vendor, "moderator_id": moderator,
                      "is_in_sample": True, "is_automated": False, "is_correct": bool(c)} for c in correct]
    targets = pd.read_csv(PROJECT_DIR / "seeds" / "kpi_targets.csv")
    targets["kpi_target_id"] = targets["metric"] + "|" + targets["scope_type"] + "|" + targets["scope_value"] \
        + "|" + targets["period"]
    targets = pd.concat([targets, pd.DataFrame([{
        "kpi_target_id": "accuracy|moderator|acme-000|monthly", "metric": "accuracy", "scope_type": "moderator",
        "scope_value": "acme-000", "period": "monthly", "target": 0.99, "stretch": 0.995,
        "direction": "higher_is_better"}])])
    mart = run_model(built_warehouse, "agg_moderator_accuracy_monthly",
                     {"fct_decisions": pd.DataFrame(rows), "stg_reference__kpi_targets": targets})
    tiny = mart[mart["vendor_id"] == "in_house"]
    assert (tiny["prior_strength"] >= 1).all() and tiny["shrunk_accuracy"].between(0, 1).all()
    mart = mart[mart["vendor_id"] != "in_house"].copy()
    mart["truth"] = mart["moderator_id"].map(truth)
    raw_mse = float(((mart["accuracy"] - mart["truth"]) ** 2).mean())
    shrunk_mse = float(((mart["shrunk_accuracy"] - mart["truth"]) ** 2).mean())
    exact = stats.beta.cdf(mart["target"], mart["posterior_correct"], mart["posterior_errors"])
    listed = mart[mart["is_on_coaching_list"]]
    below = float((listed["truth"] < listed["target"]).mean())
    print(f"\nmoderator shrinkage (seed {seed}, 180 moderators): MSE raw {raw_mse:.5f}, shrunk {shrunk_mse:.5f}; "
          f"coaching list {len(listed)}, truly below target {below:.3f}; "
          f"max |P − scipy| {np.max(np.abs(mart['probability_below_target'] - exact)):.2e}")
    assert shrunk_mse < 0.8 * raw_mse
    np.testing.assert_allclose(mart["probability_below_target"], exact, atol=1e-4)
    assert mart.set_index("moderator_id").loc["acme-000", "target_source"] == "moderator"
    assert set(mart["target_source"]) >= {"vendor", "moderator"}
    assert list(listed.sort_values("coaching_rank")["probability_below_target"]) == \
        sorted(listed["probability_below_target"], reverse=True)
    assert (listed["in_sample"] >= VARS["coaching_min_in_sample"]).all()


# ---------------------------------------------------------------------------------- one set of numbers --


def test_summary_rates_never_exceed_one_by_rounding(built_warehouse):
    """Three error-free days whose weights, summed per class and then added, exceed the sum of the per-day
    totals by one ulp: a summary that divided the two once published an accuracy of 1 + 2e-16 and a
    negative number of wrong decisions, and the gate blocked the run."""
    tp, tn = [21.142069, 26.969021, 75.286103], [28.760467, 49.033906, 98.092983]
    assert (sum(tp) + sum(tn)) / sum(a + b for a, b in zip(tp, tn, strict=True)) > 1  # the trap is armed
    daily = pd.DataFrame({
        "decision_date": pd.date_range("2026-10-01", periods=3), "vendor_id": "acme", "queue_id": "ads_standard",
        "market": "US", "decisions": 300, "in_sample": 6, "true_positives": 3, "false_positives": 0,
        "false_negatives": 0, "true_negatives": 3, "weighted_true_positives": tp, "weighted_false_positives": 0.0,
        "weighted_false_negatives": 0.0, "weighted_true_negatives": tn,
        "sum_w": [a + b for a, b in zip(tp, tn, strict=True)], "sum_w2": 1.0, "squared_weight_true_positives": 0.5,
        "squared_weight_false_positives": 0.0, "squared_weight_false_negatives": 0.0,
        "squared_weight_true_negatives": 0.5, "is_mature": True})
    summary = run_model(built_warehouse, "agg_quality_summary", {"agg_quality_daily": daily})
    assert (summary["weighted_accuracy"] <= 1).all() and (summary["estimated_wrong_decisions"] >= 0).all()



def test_summary_scorecard_and_marts_agree(built_warehouse):
    from click.testing import CliRunner

    from orchestration.cli import main

    summary = published(built_warehouse, "select * from marts.agg_quality_summary where scope_type = 'vendor'")
    kpis = published(built_warehouse, "select * from marts.agg_kpi_attainment_monthly where scope_type = 'vendor'")
    assert kpis["month_start_date"].nunique() == 1  # one month: whole period = the month
    for row in summary.itertuples():
        kpi = kpis[(kpis["scope_value"] == row.scope_value) & (kpis["metric"] == "accuracy")].iloc[0]
        assert abs(kpi["numerator"] / kpi["denominator"] - row.weighted_accuracy) < 1e-12
        if not kpi["is_suppressed"]:
            assert abs(kpi["ci_lower"] - row.weighted_accuracy_ci_low) < 1e-12
    printed = CliRunner().invoke(main, ["summary", "--warehouse", str(built_warehouse)])
    assert printed.exit_code == 0, printed.output
    text = " ".join(printed.output.split())
    assert "population estimates (weighted)" in text and "unweighted" in text
    acme = summary[summary["scope_value"] == "acme"].iloc[0]
    assert f"{acme.weighted_accuracy:.1%} [{acme.weighted_accuracy_ci_low:.1%}–{acme.weighted_accuracy_ci_high:.1%}]" \
        in printed.output
    assert "provisional" in text
    month = pd.Timestamp(kpis["month_start_date"].iloc[0]).strftime("%Y-%m")
    card = CliRunner().invoke(main, ["scorecard", "--vendor", "acme", "--month", month,
                                     "--warehouse", str(built_warehouse)])
    assert card.exit_code == 0, card.output
    assert "(provisional" in card.output and "n*" in card.output
    coaching = CliRunner().invoke(main, ["coaching", "--month", month, "--warehouse", str(built_warehouse)])
    assert coaching.exit_code == 0, coaching.output
