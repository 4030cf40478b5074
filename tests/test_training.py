"""Training effectiveness (issue 21): the training marts recover effects a seeded simulation injected,
and their rates and intervals equal independent computations.

Simulations write their own truth (numpy) and run through the marts' compiled SQL (`run_model`, the
SQL dbt compiled for the session warehouse, inputs replaced), so the SQL that publishes a verdict is
the SQL under test. Oracles recompute the session warehouse's marts from its published facts with
statsmodels, scipy and numpy. Every simulation prints its seed and figures (`pytest -s`).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from orchestration.project import PROJECT_DIR
from tests.test_decision_grade import Z, korn_graubard_wilson, published, run_model

pytestmark = pytest.mark.slow
START = date(2026, 3, 2)
COURSES = pd.read_csv(PROJECT_DIR / "seeds" / "courses.csv")
WINDOW = 28  # var training_effect_window_days


def _kpi_targets() -> pd.DataFrame:
    targets = pd.read_csv(PROJECT_DIR / "seeds" / "kpi_targets.csv")
    targets["kpi_target_id"] = (targets["metric"] + "|" + targets["scope_type"] + "|" + targets["scope_value"]
                                + "|" + targets["period"])
    return targets


def _decision_frame(moderator: np.ndarray, vendor: str, day: np.ndarray, errors: np.ndarray, weights: np.ndarray,
                    policy: str) -> pd.DataFrame:
    """fct_decisions rows (the columns the training marts read), one per element of the arrays."""
    return pd.DataFrame({
        "decision_id": [f"d{i}" for i in range(len(moderator))], "decision_date": pd.to_datetime(day),
        "moderator_id": moderator, "vendor_id": vendor, "is_in_sample": True, "is_automated": False,
        "policy_code": policy, "effective_qa_policy_code": policy, "sampling_weight": weights.astype(float),
        "is_policy_correct": ~errors, "is_correct": ~errors})


def _training_row(moderator: str, vendor: str, course: str, day: date) -> dict:
    started = pd.Timestamp(day) + pd.Timedelta(hours=10)
    return {"training_id": f"trn-{moderator}-{course}", "person_id": moderator, "vendor_id": vendor,
            "course_id": course, "course_type": COURSES.set_index("course_id").loc[course, "course_type"],
            "policy_code": COURSES.set_index("course_id").loc[course, "policy_code"],
            "started_date": pd.Timestamp(day), "completed_date": pd.Timestamp(day), "started_at": started,
            "completed_at": started + pd.Timedelta(hours=2), "is_completed": True}


def simulate_refresher(seed: int, effect: float, trend: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """60 moderators of one vendor over 84 days on HEALTH_CLAIMS work, 6 audited decisions a day each;
    40 take the refresher on a day drawn in days 28–55 (staggered), 20 never do. Error probability = the
    moderator's own level + a common calendar trend (+`trend` over the period) + `effect` after their
    refresher. Audits are sampled at 5 % or 20 % (weights 20 and 5)."""
    rng = np.random.default_rng(seed)
    moderators, days, per_day = 60, 84, 6
    level = rng.uniform(0.12, 0.28, moderators)
    trained_day = np.where(np.arange(moderators) < 40, rng.integers(28, 56, moderators), -1)
    m = np.repeat(np.arange(moderators), days * per_day)
    d = np.tile(np.repeat(np.arange(days), per_day), moderators)
    p = level[m] + trend * d / days + np.where((trained_day[m] >= 0) & (d > trained_day[m]), effect, 0.0)
    names = np.array([f"m{i:03d}" for i in range(moderators)])
    decisions = _decision_frame(names[m], "v1", np.datetime64(START) + d, rng.random(len(m)) < p,
                                rng.choice([5.0, 20.0], size=len(m)), "HEALTH_CLAIMS")
    trainings = pd.DataFrame([_training_row(names[i], "v1", "REFRESHER_HEALTH_CLAIMS",
                                            START + timedelta(days=int(trained_day[i])))
                              for i in range(moderators) if trained_day[i] >= 0])
    return decisions, trainings


def training_effect(built_warehouse, decisions: pd.DataFrame, trainings: pd.DataFrame) -> pd.DataFrame:
    courses = COURSES.astype({"policy_code": "object"}).where(COURSES.notna(), None)
    return run_model(built_warehouse, "agg_training_effect",
                     {"fct_decisions": decisions, "fct_trainings": trainings, "stg_reference__courses": courses})


# ------------------------------------------------------------------------- the injected effects --


def test_difference_in_differences_covers_the_injected_refresher_effect(built_warehouse):
    """A refresher lowers the error rate by 0.06; every moderator's error rate drifts up by 0.15 over the
    period. The naive before/after sees the drift too and misses; DiD subtracts the not-yet-trained
    moderators' change over the same weeks and covers the truth in ≥ 10 of 12 seeded runs (95 % intervals)."""
    effect, trend = -0.06, 0.15
    covered, naive_covered, estimates = 0, 0, []
    for seed in range(2100, 2112):
        mart = training_effect(built_warehouse, *simulate_refresher(seed, effect, trend))
        row = mart.set_index("vendor_id").loc["all"]
        covered += row["did_low"] <= effect <= row["did_high"]
        naive_covered += row["naive_difference_low"] <= effect <= row["naive_difference_high"]
        estimates.append((row["did_estimate"], row["naive_difference"]))
    did, naive = np.mean(estimates, axis=0)
    print(f"\nrefresher DiD (seeds 2100–2111): injected {effect:+.3f}; DiD mean {did:+.4f}, covered {covered}/12; "
          f"naive before/after mean {naive:+.4f}, covered {naive_covered}/12")
    assert covered >= 10
    assert naive_covered <= 2 and naive > effect + 0.01
    assert abs(did - effect) < 0.01


def test_naive_before_after_on_remedial_training_is_regression_to_the_mean(built_warehouse):
    """Why the mart reports DiD and flags performance-assigned courses: the remedial course does nothing
    here (true effect 0), but it is given right after a moderator's bad week - a slump that passes by
    itself. The naive before/after comparison then 'finds' a large improvement whose interval excludes 0."""
    seed = 2200
    rng = np.random.default_rng(seed)
    moderators, days, per_day = 160, 84, 8
    slumps = rng.random((moderators, days // 7)) < 0.10
    first = np.where(slumps.any(axis=1), slumps.argmax(axis=1), -1)
    names = np.array([f"r{i:03d}" for i in range(moderators)])
    trainings = [_training_row(names[i], "v1", "REMEDIAL_ACCURACY", START + timedelta(days=7 * int(first[i]) + 7))
                 for i in range(moderators) if 4 <= first[i] <= 8]
    m = np.repeat(np.arange(moderators), days * per_day)
    d = np.tile(np.repeat(np.arange(days), per_day), moderators)
    p = 0.12 * np.where(slumps[m, d // 7], 3.0, 1.0)
    decisions = _decision_frame(names[m], "v1", np.datetime64(START) + d, rng.random(len(m)) < p,
                                np.full(len(m), 10.0), "GAMBLING")
    mart = training_effect(built_warehouse, decisions, pd.DataFrame(trainings))
    row = mart.set_index("vendor_id").loc["all"]
    print(f"\nremedial (seed {seed}, {len(trainings)} trained, true effect 0): naive before/after "
          f"{row['naive_difference']:+.4f} [{row['naive_difference_low']:+.4f}, {row['naive_difference_high']:+.4f}]; "
          f"DiD {row['did_estimate']:+.4f} [{row['did_low']:+.4f}, {row['did_high']:+.4f}]")
    assert row["is_performance_assigned"]
    assert row["naive_difference_high"] < 0  # a spurious "improvement", excluded 0


def test_did_and_its_clustered_interval_equal_weighted_least_squares_with_cluster_robust_errors(built_warehouse):
    """Oracle: the stacked design rebuilt in pandas (cohorts, not-yet-trained controls, re-weighting) and the
    saturated weighted regression y ~ trained × after with moderator-clustered sandwich errors (statsmodels)."""
    decisions, trainings = simulate_refresher(2300, -0.06, 0.15)
    row = training_effect(built_warehouse, decisions, trainings).set_index("vendor_id").loc["v1"]
    decisions = decisions.assign(day=decisions["decision_date"].dt.date,
                                 y=(~decisions["is_policy_correct"]).astype(float))
    trained_on = {t.person_id: t.completed_date.date() for t in trainings.itertuples()}
    stack = []
    for cohort in sorted(set(trained_on.values())):
        low, high = cohort - timedelta(days=WINDOW), cohort + timedelta(days=WINDOW)
        window = decisions[(decisions["day"] >= low) & (decisions["day"] <= high) & (decisions["day"] != cohort)]
        for moderator, day in trained_on.items():
            if day == cohort:
                own = window[window["moderator_id"] == moderator]
                stack.append(own.assign(cohort=cohort, trained=1.0, after=(own["day"] > day).astype(float)))
        untrained = {m for m in window["moderator_id"].unique() if m not in trained_on or trained_on[m] > high}
        controls = window[window["moderator_id"].isin(untrained)]
        stack.append(controls.assign(cohort=cohort, trained=0.0, after=(controls["day"] > cohort).astype(float)))
    stack = pd.concat(stack, ignore_index=True)
    totals = stack.groupby(["cohort", "after", "trained"])["sampling_weight"].sum().unstack("trained")
    k = (totals[1.0] / totals[0.0]).rename("k")
    stack = stack.join(k, on=["cohort", "after"])
    stack["w"] = np.where(stack["trained"] == 1, stack["sampling_weight"], stack["sampling_weight"] * stack["k"])
    design = sm.add_constant(stack[["trained", "after"]].assign(both=stack["trained"] * stack["after"]))
    groups = stack["moderator_id"].astype("category").cat.codes
    fit = sm.WLS(stack["y"], design, weights=stack["w"]).fit(
        cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False})
    clusters = stack["moderator_id"].nunique()
    se = float(fit.bse["both"]) * np.sqrt(clusters / (clusters - 1))
    half_width = se * stats.t.ppf(0.975, clusters - 1)
    print(f"\nDiD oracle (seed 2300): mart {row['did_estimate']:+.6f} ± {(row['did_high'] - row['did_low']) / 2:.6f}, "
          f"WLS {fit.params['both']:+.6f} ± {half_width:.6f}, {clusters} clusters")
    assert row["moderators"] == clusters
    assert row["did_estimate"] == pytest.approx(fit.params["both"], abs=1e-9)
    assert (row["did_high"] - row["did_low"]) / 2 == pytest.approx(half_width, rel=1e-4)
    naive = stack[stack["trained"] == 1]
    rates = naive.groupby("after").apply(lambda g: np.average(g["y"], weights=g["w"]), include_groups=False)
    assert row["naive_difference"] == pytest.approx(rates[1.0] - rates[0.0], abs=1e-9)


def test_weeks_to_proficiency_within_a_week_of_the_simulated_ramp(built_warehouse):
    """New hires' accuracy = 0.975 − 0.2 · exp(−tenure days / 14) against the global 0.95 target: the first
    week whose true mean accuracy reaches the target is the truth; the mart's first week whose interval
    clears it must be within one week."""
    seed = 2400
    rng = np.random.default_rng(seed)
    hired_on = START
    decisions, moderators = [], []
    for m in range(30):
        moderator = f"n{m:03d}"
        moderators.append({"moderator_version_id": f"{moderator}|v1", "moderator_id": moderator, "vendor_id": "ramp",
                           "hired_on": pd.Timestamp(hired_on), "role": "moderator"})
        for d in range(70):
            accuracy = 0.975 - 0.2 * np.exp(-d / 14)
            for i, correct in enumerate(rng.random(15) < accuracy):
                decisions.append({"decision_id": f"{moderator}-{d}-{i}", "moderator_id": moderator,
                                  "moderator_version_id": f"{moderator}|v1", "vendor_id": "ramp",
                                  "decision_date": pd.Timestamp(hired_on + timedelta(days=d)), "handle_seconds": 60,
                                  "is_automated": False, "is_in_sample": True, "sampling_weight": 10.0,
                                  "is_correct": bool(correct)})
    mart = run_model(built_warehouse, "agg_ramp_curve", {"fct_decisions": pd.DataFrame(decisions),
                                                         "dim_moderator": pd.DataFrame(moderators),
                                                         "stg_reference__kpi_targets": _kpi_targets()})
    weekly_truth = [np.mean(0.975 - 0.2 * np.exp(-np.arange(7 * w, 7 * w + 7) / 14)) for w in range(10)]
    truth = next(w for w, a in enumerate(weekly_truth) if a >= 0.95)
    estimate = int(mart["weeks_to_proficiency"].iloc[0])
    print(f"\nramp (seed {seed}): true first week at target {truth}, mart weeks_to_proficiency {estimate}")
    assert abs(estimate - truth) <= 1
    assert mart["weeks_to_proficiency"].nunique() == 1 and (mart["accuracy_target"] == 0.95).all()


# ---------------------------------------------------------------------------------------- oracles --


def test_vendor_training_weighted_accuracy_and_interval_against_an_independent_computation(built_warehouse):
    facts = published(built_warehouse, """
        select date_trunc('month', decision_date) as month_start_date, vendor_id, sampling_rate, is_correct
        from marts.fct_decisions where is_in_sample and not is_automated""")
    mart = published(built_warehouse, "select * from marts.agg_vendor_training_monthly where in_sample > 0")
    assert len(mart) > 0
    for row in mart.itertuples():
        group = facts[(facts["vendor_id"] == row.vendor_id)
                      & (facts["month_start_date"].dt.date == row.month_start_date.date())]
        w = 1 / group["sampling_rate"].to_numpy()
        y = group["is_correct"].to_numpy(dtype=float)
        p = np.sum(w * y) / np.sum(w)
        variance = np.sum((1 - 1 / w) * w**2 * (y - p) ** 2) / np.sum(w) ** 2  # Poisson-sampling linearisation
        n_star, low, high = korn_graubard_wilson(p, variance, len(group))
        assert row.in_sample == len(group)
        assert row.weighted_accuracy == pytest.approx(p, abs=1e-12)
        assert row.design_effective_sample_size == pytest.approx(n_star, rel=1e-4)
        assert (row.weighted_accuracy_ci_low, row.weighted_accuracy_ci_high) == pytest.approx((low, high), abs=1e-5)


def test_assessment_pass_rates_and_scores_against_statsmodels_and_numpy(built_warehouse):
    trainings = published(built_warehouse, "select * from marts.fct_trainings")
    mart = published(built_warehouse, "select * from marts.agg_training_outcomes where vendor_id = 'all'")
    assert len(mart) > 0 and mart["enrolments"].sum() == len(trainings)
    for row in mart.itertuples():
        course = trainings[trainings["course_id"] == row.course_id]
        assessed = course[course["passed"].notna()]
        assert row.assessments == len(assessed) and row.completions == int(course["is_completed"].sum())
        if len(assessed):
            passed = int(assessed["passed"].astype(bool).sum())
            low, high = proportion_confint(passed, len(assessed), alpha=0.05, method="wilson")
            assert (row.pass_rate_ci_low, row.pass_rate_ci_high) == pytest.approx((low, high), abs=1e-9)
        scores = course["assessment_score"].dropna().to_numpy()
        if len(scores) >= 2:
            half = Z * scores.std(ddof=1) / np.sqrt(len(scores))
            assert row.mean_assessment_score_low == pytest.approx(scores.mean() - half, abs=1e-9)
            assert row.mean_assessment_score_high == pytest.approx(scores.mean() + half, abs=1e-9)


def test_training_needs_shrinkage_and_probability_against_scipy(built_warehouse):
    """Counts per moderator × vendor × policy from the facts (pandas), the beta-binomial method of moments in
    numpy, the posterior tail from scipy.stats.beta.sf."""
    facts = published(built_warehouse, """
        select moderator_id, vendor_id, coalesce(effective_qa_policy_code, policy_code) as policy_code,
               not is_policy_correct as is_error, decision_date
        from marts.fct_decisions where is_in_sample and not is_automated and moderator_id is not null""")
    latest = published(built_warehouse, "select max(decision_date) as d from marts.fct_decisions")["d"].iloc[0]
    facts = facts[facts["policy_code"].notna() & (facts["decision_date"] > latest - pd.Timedelta(days=90))]
    counts = facts.groupby(["moderator_id", "vendor_id", "policy_code"])["is_error"].agg(["size", "sum"])
    mart = published(built_warehouse, "select * from marts.agg_training_needs").set_index(
        ["moderator_id", "vendor_id", "policy_code"])
    assert len(mart) == len(counts)
    max_strength = 1000.0
    for (vendor, policy), peers in counts.groupby(level=["vendor_id", "policy_code"]):
        n, x = peers["size"].to_numpy(float), peers["sum"].to_numpy(float)
        p = (x.sum() + 0.5) / (n.sum() + 1)
        k = len(n)
        spread = np.sum(n * (x / n - p) ** 2)
        denominator = n.sum() - np.sum(n**2) / n.sum()
        rho = (spread / (p * (1 - p)) - (k - 1)) / denominator if k > 1 and denominator > 0 else None
        strength = (max_strength if rho is None or rho <= 1 / (1 + max_strength)
                    else 1.0 if rho >= 0.5 else min(max_strength, (1 - rho) / rho))
        for (moderator, _, _), counted in peers.iterrows():
            row = mart.loc[(moderator, vendor, policy)]
            a, b = p * strength + counted["sum"], (1 - p) * strength + counted["size"] - counted["sum"]
            assert row["peer_error_rate"] == pytest.approx(p, abs=1e-12)
            assert row["shrunk_error_rate"] == pytest.approx(a / (a + b), abs=1e-9)
            if b >= 1:
                assert row["probability_worse_than_target"] == pytest.approx(stats.beta.sf(p, a, b), abs=1e-4)
