"""Issue 6 marts against independent computations, on one warehouse built by the real pipeline.

The landing data is the generator's programme plus one extra calibration file holding the published
worked examples that statsmodels and krippendorff test themselves against (Fleiss 1971, Wikipedia's
Fleiss table, Krippendorff's documentation example, the SAS Cohen's κ table), so the agreement SQL
runs on them end to end. Oracles: statsmodels (fleiss_kappa, cohens_kappa, proportion_confint,
DescrStatsW, OLS), scikit-learn (cohen_kappa_score, confusion_matrix), krippendorff.alpha, the
published values, and plain pandas re-implementations of the documented rules (never numbers copied
from the marts).
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import math
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import click
import duckdb
import krippendorff
import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
import yaml
from click.testing import CliRunner
from scipy import stats
from sklearn.metrics import cohen_kappa_score, confusion_matrix
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa, fleiss_kappa
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.tests.test_inter_rater import diagnoses, table1, table10
from statsmodels.stats.weightstats import DescrStatsW

from orchestration.cli import ModqaGroup
from orchestration.generator import generate
from orchestration.pipeline import run_pipeline
from orchestration.project import PROJECT_DIR, layout
from orchestration.sampling import allocate, read_plan
from orchestration.views import register
from tests import oracle
from tests.conftest import quiet_console

pytestmark = pytest.mark.slow
TOLERANCE = 1e-9
VARS = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
Z = VARS["confidence_z"]

# Category k of the published examples as a calibration label (verdict, policy code).
CATEGORIES = {1: ("approve", ""), 2: ("reject", "HATE_SPEECH"), 3: ("reject", "PHISHING"),
              4: ("reject", "MALWARE"), 5: ("reject", "GAMBLING")}
# Krippendorff's documentation example (krippendorff.alpha docstring; Krippendorff 2011): 3 coders ×
# 15 units, missing values, nominal α = 0.691358.
KRIPPENDORFF_DOC = np.array([
    [np.nan, np.nan, np.nan, np.nan, np.nan, 3, 4, 1, 2, 1, 1, 3, 3, np.nan, 3],
    [1, np.nan, 2, 1, 3, 3, 4, 3, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan],
    [np.nan, np.nan, 2, 1, 3, 4, 4, np.nan, 2, 1, 1, 3, 3, np.nan, 4],
])


@dataclass(frozen=True)
class Built:
    landing: Path
    warehouse: Path

    def query(self, sql: str) -> pd.DataFrame:
        con = duckdb.connect(str(layout(self.warehouse).published_database), read_only=True)
        try:
            return con.execute(sql).df()
        finally:
            con.close()


def _published_labels(item_ids: list[str]) -> list[dict]:
    """The published examples as calibration labels: unit j → item j, coder i → rater r<i>."""
    rows = []

    def add(session, unit, rater, category):
        verdict, policy = CATEGORIES[int(category)]
        rows.append({"session_id": session, "item_id": item_ids[unit], "rater_id": f"r{rater:02d}",
                     "is_expert": "false", "verdict": verdict, "policy_code": policy,
                     "labeled_at": f"2026-08-20T10:{unit:02d}:00Z"})

    for unit, ratings in enumerate(diagnoses):  # Fleiss (1971): 30 subjects × 6 ratings
        for rater, category in enumerate(ratings):
            add("pub-fleiss-1971", unit, rater, category)
    for unit, counts in enumerate(table1.astype(int)):  # Wikipedia: 10 subjects × 14 raters, as counts
        categories = [c + 1 for c, count in enumerate(counts) for _ in range(count)]
        for rater, category in enumerate(categories):
            add("pub-fleiss-wikipedia", unit, rater, category)
    for rater, ratings in enumerate(KRIPPENDORFF_DOC):
        for unit, category in enumerate(ratings):
            if not np.isnan(category):
                add("pub-krippendorff-doc", unit, rater, category)
    unit = 0
    for a, row in enumerate(np.asarray(table10)):  # SAS: rater A's category × rater B's, 19 subjects
        for b, count in enumerate(row):
            for _ in range(int(count)):
                add("pub-cohen-sas", unit, 0, a + 1)
                add("pub-cohen-sas", unit, 1, b + 1)
                unit += 1
    return rows


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    root = tmp_path_factory.mktemp("statistics")
    landing, warehouse = root / "landing", root / "warehouse"
    generate(landing, days=40, decisions_per_day=1500, seed=23, start=date(2026, 8, 10), file_format="mixed")
    item_ids = sorted(oracle.read_table(landing, "items")["item_id"])[:40]
    examples = landing / "calibration_labels" / "published" / "published_examples.csv"
    examples.parent.mkdir(parents=True)
    rows = _published_labels(item_ids)
    with open(examples, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    run_pipeline(landing, warehouse, quiet_console())
    return Built(landing, warehouse)


def wilson(p: float, n: float) -> tuple[float, float]:
    low, high = proportion_confint(p * n, n, alpha=0.05, method="wilson")
    return max(0.0, low), min(1.0, high)


def close(actual, expected, tolerance: float = TOLERANCE) -> bool:
    if expected is None or (isinstance(expected, float) and math.isnan(expected)):
        return actual is None or (isinstance(actual, float) and math.isnan(actual))
    return abs(actual - expected) <= tolerance * max(1.0, abs(expected))


def month_of(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.to_period("M").dt.start_time.dt.date


# ----------------------------------------------------------------------------------- calibration --


def sessions_frame(built: Built) -> pd.DataFrame:
    return built.query("select * from marts.agg_calibration_sessions").set_index("session_id")


def pairs_frame(built: Built) -> pd.DataFrame:
    return built.query("select * from marts.agg_calibration_rater_pairs")


def test_fleiss_1971_diagnoses_match_statsmodels_and_the_published_kappa(built):
    session = sessions_frame(built).loc["pub-fleiss-1971"]
    counts, _ = aggregate_raters(diagnoses)
    assert close(session["label_fleiss_kappa"], fleiss_kappa(counts))
    assert abs(session["label_fleiss_kappa"] - 0.4302445) < 5e-8  # R irr::kappam.fleiss (statsmodels' test)
    verdicts, _ = aggregate_raters((diagnoses > 1).astype(int))  # category 1 approves, 2-5 reject
    assert close(session["fleiss_kappa"], fleiss_kappa(verdicts))
    assert close(session["label_krippendorff_alpha"],
                 krippendorff.alpha(reliability_data=diagnoses.T, level_of_measurement="nominal"))
    assert session["raters"] == 6 and session["items"] == 30 and not session["has_expert"]
    assert pd.isna(session["expert_verdict_accuracy"])


def test_wikipedia_fleiss_table_matches_statsmodels_and_the_published_values(built):
    session = sessions_frame(built).loc["pub-fleiss-wikipedia"]
    assert close(session["label_fleiss_kappa"], fleiss_kappa(table1))
    assert round(session["label_fleiss_kappa"], 3) == 0.210  # Wikipedia "Fleiss' kappa" worked example
    assert round(session["label_percent_agreement"], 3) == 0.378  # its P̄


def test_krippendorff_documentation_example_with_missing_labels(built):
    session = sessions_frame(built).loc["pub-krippendorff-doc"]
    assert abs(session["label_krippendorff_alpha"] - 0.691358) < 5e-7  # the published value
    assert close(session["label_krippendorff_alpha"],
                 krippendorff.alpha(reliability_data=KRIPPENDORFF_DOC, level_of_measurement="nominal"))
    verdicts = np.where(np.isnan(KRIPPENDORFF_DOC), np.nan, (KRIPPENDORFF_DOC > 1).astype(float))
    assert close(session["krippendorff_alpha"],
                 krippendorff.alpha(reliability_data=verdicts, level_of_measurement="nominal"))
    assert session["pairable_items"] == int(((~np.isnan(KRIPPENDORFF_DOC)).sum(axis=0) >= 2).sum())


def test_cohen_sas_table_matches_statsmodels_scikit_learn_and_sas(built):
    pair = pairs_frame(built).query("session_id == 'pub-cohen-sas'").iloc[0]
    assert (pair["rater_id"], pair["other_rater_id"], pair["common_items"]) == ("r00", "r01", 19)
    assert close(pair["label_cohens_kappa"], cohens_kappa(table10, return_results=False))
    assert abs(pair["label_cohens_kappa"] - 0.4842) < 5e-5  # SAS PROC FREQ printout (statsmodels' test)
    a = [i for i, row in enumerate(table10) for j, count in enumerate(row) for _ in range(count)]
    b = [j for i, row in enumerate(table10) for j, count in enumerate(row) for _ in range(count)]
    assert close(pair["label_cohens_kappa"], cohen_kappa_score(a, b))
    assert close(pair["cohens_kappa"], cohen_kappa_score([x > 0 for x in a], [x > 0 for x in b]))
    assert close(pair["label_percent_agreement"], 13 / 19)


def landing_labels(built: Built) -> pd.DataFrame:
    labels = oracle.read_table(built.landing, "calibration_labels")
    labels["is_expert"] = oracle.to_bool(labels["is_expert"])
    labels["label"] = np.where(labels["verdict"] == "reject", labels["policy_code"].fillna(""), "approve")
    return labels[~labels["session_id"].str.startswith("pub-")]


def percent_agreement(table: pd.DataFrame) -> float:
    """Mean over items of the share of agreeing rater pairs (pairs enumerated one by one)."""
    shares = []
    for column in table.columns:
        labels = table[column].dropna().tolist()
        pairs = list(itertools.combinations(labels, 2))
        if pairs:
            shares.append(sum(x == y for x, y in pairs) / len(pairs))
    return float(np.mean(shares))


def test_generated_sessions_agreement_matches_statsmodels_krippendorff_and_scikit_learn(built):
    labels = landing_labels(built)
    sessions = sessions_frame(built)
    pairs = pairs_frame(built).set_index(["session_id", "rater_id", "other_rater_id"])
    checked = 0
    for session_id, group in labels.groupby("session_id"):
        row = sessions.loc[session_id]
        panel = group[~group["is_expert"]]
        for scale, prefix in (("verdict", ""), ("label", "label_")):
            table = panel.pivot(index="rater_id", columns="item_id", values=scale)
            if len(table) < 2:  # a lone panel rater: nothing to agree with
                assert row["pairable_items"] == 0 and pd.isna(row[f"{prefix}percent_agreement"])
                assert pd.isna(row[f"{prefix}fleiss_kappa"]) and pd.isna(row[f"{prefix}krippendorff_alpha"])
                continue
            counts, _ = aggregate_raters(table.T.to_numpy())
            if len(np.unique(table.to_numpy())) > 1:
                assert close(row[f"{prefix}fleiss_kappa"], fleiss_kappa(counts)), (session_id, scale)
                codes = pd.factorize(table.to_numpy().ravel())[0].reshape(table.shape).astype(float)
                assert close(row[f"{prefix}krippendorff_alpha"],
                             krippendorff.alpha(reliability_data=codes, level_of_measurement="nominal"))
            else:
                assert pd.isna(row[f"{prefix}fleiss_kappa"]) and pd.isna(row[f"{prefix}krippendorff_alpha"])
            assert close(row[f"{prefix}percent_agreement"], percent_agreement(table))
        everyone = group.pivot(index="item_id", columns="rater_id", values="verdict")
        everyone_labels = group.pivot(index="item_id", columns="rater_id", values="label")
        for first, second in itertools.combinations(sorted(everyone.columns), 2):
            pair = pairs.loc[(session_id, first, second)]
            both = everyone[[first, second]].dropna()
            assert pair["common_items"] == len(both)
            assert close(pair["percent_agreement"], float((both[first] == both[second]).mean()))
            expected = cohen_kappa_score(both[first], both[second]) if both.stack().nunique() > 1 else None
            assert close(pair["cohens_kappa"], expected), (session_id, first, second)
            both_labels = everyone_labels[[first, second]].dropna()
            if both_labels.stack().nunique() > 1:
                assert close(pair["label_cohens_kappa"], cohen_kappa_score(both_labels[first], both_labels[second]))
            assert bool(pair["involves_expert"]) == bool(group[group["rater_id"].isin([first, second])]
                                                       ["is_expert"].any())
            checked += 1
    assert checked > 100 and len(sessions) == labels["session_id"].nunique() + 4


def expert_scored(built: Built) -> pd.DataFrame:
    labels = landing_labels(built)
    experts = labels[labels["is_expert"]][["session_id", "item_id", "verdict", "label"]]
    scored = labels[~labels["is_expert"]].merge(experts, on=["session_id", "item_id"], suffixes=("", "_expert"))
    scored["session_date"] = scored["labeled_at"].dt.date
    return scored


def test_rater_accuracy_against_the_expert_matches_confusion_matrix(built):
    raters = built.query("select * from marts.agg_calibration_raters where session_id not like 'pub-%'")
    raters = raters.set_index(["session_id", "rater_id"])
    scored = expert_scored(built)
    for (session_id, rater_id), group in scored.groupby(["session_id", "rater_id"]):
        row = raters.loc[(session_id, rater_id)]
        (tn, fp), (fn, tp) = confusion_matrix(group["verdict_expert"], group["verdict"], labels=["approve", "reject"])
        assert (row["false_positives"], row["false_negatives"]) == (fp, fn)
        assert (row["expert_approves"], row["expert_rejects"]) == (tn + fp, fn + tp)
        accuracy = (tp + tn) / len(group)
        assert close(row["verdict_accuracy"], accuracy)
        low, high = wilson(accuracy, len(group))
        assert close(row["verdict_accuracy_ci_low"], low) and close(row["verdict_accuracy_ci_high"], high)
        assert close(row["label_accuracy"], float((group["label"] == group["label_expert"]).mean()))
    assert len(raters) == scored.groupby(["session_id", "rater_id"]).ngroups


def test_rater_drift_per_week_and_month_and_tendency(built):
    drift = built.query("select * from marts.agg_calibration_rater_drift")  # published examples have no expert
    drift["period_start_date"] = pd.to_datetime(drift["period_start_date"]).dt.date
    drift = drift.set_index(["period_type", "period_start_date", "rater_id"])
    scored = expert_scored(built)
    dates = pd.to_datetime(scored["session_date"])
    scored["week"] = (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.date  # Monday
    scored["month"] = month_of(scored["session_date"])
    tendencies = set()
    for period_type in ("week", "month"):
        for (start, rater_id), group in scored.groupby([period_type, "rater_id"]):
            row = drift.loc[(period_type, start, rater_id)]
            fp = int(((group["verdict"] == "reject") & (group["verdict_expert"] == "approve")).sum())
            fn = int(((group["verdict"] == "approve") & (group["verdict_expert"] == "reject")).sum())
            assert (row["false_positives"], row["false_negatives"], row["labels_scored"]) == (fp, fn, len(group))
            assert row["sessions"] == group["session_id"].nunique()
            approves = int((group["verdict_expert"] == "approve").sum())
            if approves:
                low, high = wilson(fp / approves, approves)
                assert close(row["false_positive_rate"], fp / approves)
                assert close(row["false_positive_rate_ci_low"], low) and close(row["false_positive_rate_ci_high"], high)
            if fp + fn:
                low, high = wilson(fp / (fp + fn), fp + fn)
                assert close(row["strict_share_ci_low"], low) and close(row["strict_share_ci_high"], high)
            else:
                assert row["tendency"] == "balanced" and pd.isna(row["mcnemar_p_value"])
            # the call itself (exact McNemar + Benjamini–Hochberg): tests/test_decision_grade.py
            tendencies.add(row["tendency"])
    assert len(drift) == scored.groupby(["week", "rater_id"]).ngroups + scored.groupby(["month", "rater_id"]).ngroups
    assert "balanced" in tendencies


# ---------------------------------------------------------------------------------- KPI targets --


def decisions_frame(built: Built) -> pd.DataFrame:
    frame = built.query("select * from marts.fct_decisions")
    frame["decision_date"] = pd.to_datetime(frame["decision_date"]).dt.date
    frame["month"] = month_of(frame["decision_date"])
    return frame


def scoped(frame: pd.DataFrame, scopes=("global", "vendor", "queue", "market")) -> pd.DataFrame:
    columns = {"global": None, "vendor": "vendor_id", "queue": "queue_id", "market": "market"}
    parts = []
    for scope in scopes:
        part = frame.assign(scope_type=scope,
                            scope_value="all" if columns[scope] is None else frame[columns[scope]])
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


WEIGHTED_RATES = {"accuracy": (("TP", "TN"), ("TP", "FP", "FN", "TN")), "false_positive_rate": (("FP",), ("FP", "TN")),
                  "false_negative_rate": (("FN",), ("FN", "TP")), "precision": (("TP",), ("TP", "FP")),
                  "recall": (("TP",), ("TP", "FN"))}


def expected_kpis(built: Built) -> dict:
    decisions = decisions_frame(built)
    sample = scoped(decisions[decisions["is_in_sample"]])
    expected = {}
    for (month, scope_type, scope_value), group in sample.groupby(["month", "scope_type", "scope_value"]):
        for metric, (numerator, denominator) in WEIGHTED_RATES.items():
            base = group[group["outcome"].isin(denominator)]
            if base.empty:
                continue
            w = base["sampling_weight"].to_numpy()
            y = base["outcome"].isin(numerator).to_numpy()
            value = w[y].sum() / w.sum()
            expected[(month, metric, scope_type, scope_value)] = (value, *design_based_interval(w, y))
    first = scoped(decisions[decisions["is_first_decision"]])
    for (month, scope_type, scope_value), group in first.groupby(["month", "scope_type", "scope_value"]):
        n, value = len(group), group["within_sla"].mean()
        expected[(month, "sla_attainment", scope_type, scope_value)] = (value, *wilson(value, n), n)
    audits = built.query("select * from marts.fct_qa_audits where audit_type in ('random', 'targeted')")
    audits["month"] = month_of(audits["audit_date"])
    for (month, scope_type, scope_value), group in scoped(audits).groupby(["month", "scope_type", "scope_value"]):
        hours = DescrStatsW(group["qa_turnaround_minutes"].to_numpy() / 60)
        low, high = hours.zconfint_mean(alpha=0.05) if len(group) > 1 else (None, None)
        expected[(month, "qa_turnaround_hours", scope_type, scope_value)] = (
            hours.mean, None if low is None else max(0.0, low), high, len(group))
    capacity = built.query("select * from marts.agg_capacity_daily")
    capacity["month"] = month_of(capacity["date_day"])
    last = capacity[capacity["date_day"] == capacity.groupby("month")["date_day"].transform("max")]
    for month, group in last.groupby("month"):
        total = float(group["backlog_end_of_day"].sum())
        expected[(month, "backlog_items", "global", "all")] = (total, total, total, None)
        for queue_id, backlog in zip(group["queue_id"], group["backlog_end_of_day"], strict=True):
            expected[(month, "backlog_items", "queue", queue_id)] = (float(backlog),) * 3 + (None,)
    return expected


def design_based_interval(w: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Wilson on Korn–Graubard's n*: Poisson-sampling linearised variance Σ(1 − π)w²e²/(Σw)², n* capped
    at n, × (z / t_{n−1})² with scipy's t; (low, high, n*). A single unit: [0, 1], n* = 0."""
    n = len(w)
    if n < 2:
        return 0.0, 1.0, 0.0
    p = w[y].sum() / w.sum()
    variance = float(((1 - 1 / w) * w * w * (y - p) ** 2).sum() / w.sum() ** 2)
    n_star = float(n) if variance <= 0 else min(float(n), p * (1 - p) / variance)
    n_star *= (Z / stats.t.ppf(0.975, n - 1)) ** 2
    return (*wilson(p, n_star), n_star)


def expected_status(value, n_eff, target, stretch, direction, low, high, exact: bool) -> str:
    """DESIGN §4 Targets: the verdict on the whole interval."""
    if value is None or (not exact and (n_eff < VARS["min_effective_sample_size"]
                                        or high - low > 2 * abs(target - stretch))):
        return "insufficient_sample"
    higher = direction == "higher_is_better"
    if (low >= stretch) if higher else (high <= stretch):
        return "stretch_met"
    if (low >= target) if higher else (high <= target):
        return "met"
    if (high < target) if higher else (low > target):
        return "missed"
    return "inconclusive"


def test_kpi_attainment_matches_horvitz_thompson_wilson_and_the_target_rules(built):
    mart = built.query("select * from marts.agg_kpi_attainment_monthly")
    mart["month_start_date"] = pd.to_datetime(mart["month_start_date"]).dt.date
    expected = expected_kpis(built)
    targets = pd.read_csv(PROJECT_DIR / "seeds" / "kpi_targets.csv").query("period == 'monthly'")
    months = sorted({key[0] for key in expected})
    judged = set()
    for row in mart.itertuples(index=False):
        key = (row.month_start_date, row.metric, row.scope_type, row.scope_value)
        value, low, high, n_eff = expected.get(key, (None, None, None, None))
        weighted = row.interval_method == "wilson_weighted"
        if weighted and value is not None and n_eff < VARS["min_effective_sample_size"]:
            assert row.is_suppressed and pd.isna(row.value) and pd.isna(row.ci_lower), key
            value = None  # suppressed: judged as insufficient_sample
        else:
            assert close(row.value, value), key
        # scipy's exact t against the mart's expansion: 2e-8 relative at df 29, 1e-10 from df 100
        tolerance = 1e-7 if weighted and (row.sample_size or 0) <= 100 else TOLERANCE
        if value is not None:
            assert close(row.ci_lower, low, tolerance) and close(row.ci_upper, high, tolerance), key
            assert close(row.design_effective_sample_size, n_eff, tolerance), key
        target = targets[(targets["metric"] == row.metric) & (targets["scope_type"] == row.scope_type)
                         & (targets["scope_value"] == row.scope_value)]
        if target.empty:
            assert row.status == "no_target" and pd.isna(row.kpi_target_id)
            continue
        t = target.iloc[0]
        status = expected_status(value, n_eff, t["target"], t["stretch"], t["direction"], low, high,
                                 exact=row.metric == "backlog_items")
        assert (row.status, bool(row.is_significant_miss)) == (status, status == "missed"), key
        judged.add((row.month_start_date, row.metric, row.scope_type, row.scope_value))
    # Every monthly target is judged in every month, and every computed value has a row.
    assert judged == {(m, t.metric, t.scope_type, t.scope_value) for m in months for t in targets.itertuples()}
    assert set(expected) <= set(zip(mart["month_start_date"], mart["metric"], mart["scope_type"],
                                    mart["scope_value"], strict=True))
    assert {"met", "inconclusive", "insufficient_sample"} <= set(mart["status"])


# -------------------------------------------------------------------------------- sampling plan --


def test_sampling_plan_matches_cochran_with_wilson_planning_rates(built):
    decisions = decisions_frame(built)
    decisions["error"] = decisions["outcome"].isin(["FP", "FN"])
    decisions["w"] = decisions["sampling_weight"].where(decisions["is_in_sample"], 0.0)
    plan = built.query("select * from marts.agg_sampling_plan")
    plan["plan_date"] = pd.to_datetime(plan["plan_date"]).dt.date
    plan = plan.set_index(["plan_date", "stratum_id"])
    decisions["stratum_id"] = decisions["vendor_id"] + "|" + decisions["queue_id"] + "|" + decisions["market"]
    population = decisions.groupby(["decision_date", "stratum_id"]).size()
    sample = decisions[decisions["is_in_sample"]]
    e, budget, lookback = VARS["sampling_target_half_width"], VARS["sampling_daily_audit_budget"], \
        VARS["sampling_lookback_days"]
    for day in sorted(decisions["decision_date"].unique())[::9]:
        window = sample[(sample["decision_date"] < day) & (sample["decision_date"] >= day - timedelta(days=lookback))]
        required = {}
        for stratum_id, n in population.loc[day].items():
            history = window[window["stratum_id"] == stratum_id]
            if history.empty:
                p = 0.5
            else:
                w = history["w"].to_numpy()
                rate, n_eff = w[history["error"].to_numpy()].sum() / w.sum(), w.sum() ** 2 / (w * w).sum()
                p = min(0.5, wilson(rate, n_eff)[1])
            n0 = Z * Z * p * (1 - p) / (e * e)
            required[stratum_id] = (p, n0 / (1 + (n0 - 1) / n), n)
        scale = min(1.0, budget / sum(r for _, r, _ in required.values()))
        for stratum_id, (p, n_required, n) in required.items():
            row = plan.loc[(day, stratum_id)]
            assert close(row["planning_error_rate"], p) and close(row["required_audits"], n_required)
            assert close(row["sampling_rate"], n_required * scale / n), (day, stratum_id)
        assert len(plan.loc[day]) == len(required)
        # The CLI's Python allocation (same rule, budget from the command line) reproduces the mart.
        strata, half_width = read_plan(layout(built.warehouse).published_database, day)
        for allocation in allocate(strata, budget, half_width, Z):
            assert close(allocation.sampling_rate, plan.loc[(day, allocation.stratum.stratum_id)]["sampling_rate"])


def cli() -> click.Group:
    @click.group(cls=ModqaGroup)
    @click.pass_context
    def group(ctx):
        ctx.obj = {"debug": False}

    register(group)
    return group


def test_sample_command_writes_a_reproducible_poisson_worklist(built, tmp_path):
    day = "2026-09-01"
    runner = CliRunner()
    out = tmp_path / "worklist.csv"
    args = ["sample", "--date", day, "--budget", str(VARS["sampling_daily_audit_budget"]),
            "--warehouse", str(built.warehouse), "--out", str(out)]
    result = runner.invoke(cli(), args)
    assert result.exit_code == 0, result.output
    assert f"Audit worklist for {day}" in result.output
    worklist = pd.read_csv(out, dtype={"sampling_rate": float})
    assert list(worklist.columns) == ["decision_id", "stratum", "sampling_rate"]
    plan = built.query(f"select stratum_id, sampling_rate from marts.agg_sampling_plan where plan_date = '{day}'")
    rates = dict(zip(plan["stratum_id"], plan["sampling_rate"], strict=True))
    decisions = built.query(f"select decision_id, vendor_id || '|' || queue_id || '|' || market as stratum "
                            f"from marts.fct_decisions where decision_date = '{day}'")
    expected = []
    for decision_id, stratum in zip(decisions["decision_id"], decisions["stratum"], strict=True):
        digest = hashlib.sha256(f"modqa|{day}|{decision_id}".encode()).digest()
        if int.from_bytes(digest[:8], "big") / 2**64 < rates[stratum]:
            expected.append(decision_id)
    assert sorted(worklist["decision_id"]) == sorted(expected)
    for stratum, rate in zip(worklist["stratum"], worklist["sampling_rate"], strict=True):
        assert close(rate, rates[stratum])
    again = tmp_path / "again.csv"
    assert runner.invoke(cli(), args[:-1] + [str(again)]).exit_code == 0
    assert again.read_bytes() == out.read_bytes()
    salted = tmp_path / "salted.csv"
    assert runner.invoke(cli(), args[:-1] + [str(salted), "--salt", "second-draw"]).exit_code == 0
    assert salted.read_bytes() != out.read_bytes()
    outside = runner.invoke(cli(), ["sample", "--date", "2030-01-01", "--budget", "10",
                                    "--warehouse", str(built.warehouse), "--out", str(tmp_path / "x.csv")])
    assert outside.exit_code == 2 and "no decisions on 2030-01-01" in outside.output


# ------------------------------------------------------------------------ root causes and appeals --


def test_root_cause_pareto_ranks_population_estimates_and_lists_targeted_findings_apart(built):
    causes = built.query("select * from marts.agg_error_root_causes")
    mart = built.query("select * from marts.agg_error_root_cause_pareto")
    daily = built.query("select decision_date, vendor_id, decisions, in_sample, sum_w, sum_w2 "
                        "from marts.agg_quality_daily")
    daily["month_start_date"] = month_of(daily["decision_date"])
    for frame in (causes, mart):
        frame["month_start_date"] = pd.to_datetime(frame["month_start_date"]).dt.date
    mart = mart.set_index(["month_start_date", "scope_type", "scope_value", "ranking_list", "root_cause_code"])
    cut = VARS["pareto_vital_few_share"]
    checked = 0
    for scope_type, column in (("all", None), ("vendor", "vendor_id"), ("policy", "policy_code")):
        frame = causes.assign(scope_value="all" if column is None else causes[column],
                              findings=causes["errors"] - causes["in_sample_errors"])
        for (month, scope_value), group in frame.groupby(["month_start_date", "scope_value"]):
            by_cause = group.groupby("root_cause_code")[["in_sample_errors", "findings", "weighted_errors",
                                                         "squared_weight_errors"]].sum().reset_index()
            population = daily[daily["month_start_date"] == month]
            if scope_type == "vendor":
                population = population[population["vendor_id"] == scope_value]
            n, big_n = population["in_sample"].sum(), population["decisions"].sum()
            sum_w, sum_w2 = population["sum_w"].sum(), population["sum_w2"].sum()
            ranked = by_cause[by_cause["in_sample_errors"] > 0].sort_values(
                ["weighted_errors", "root_cause_code"], ascending=[False, True])
            shares = ranked["weighted_errors"].cumsum() / ranked["weighted_errors"].sum()
            for rank, (cause, cumulative) in enumerate(zip(ranked["root_cause_code"], shares, strict=True), 1):
                row = mart.loc[(month, scope_type, scope_value, "population_estimate", cause)]
                source = ranked[ranked["root_cause_code"] == cause].iloc[0]
                rate = source["weighted_errors"] / sum_w
                # the cause's errors within all in-sample decisions: numerator class ⊂ denominator
                variance = ((source["squared_weight_errors"] - source["weighted_errors"]) * (1 - rate) ** 2
                            + ((sum_w2 - source["squared_weight_errors"]) - (sum_w - source["weighted_errors"]))
                            * rate**2) / sum_w**2
                n_star = n if variance <= 0 else min(n, rate * (1 - rate) / variance)
                n_star *= (Z / stats.t.ppf(0.975, n - 1)) ** 2
                low, high = wilson(rate, n_star)
                assert row["pareto_rank"] == rank and close(row["cumulative_error_share"], cumulative)
                assert close(row["error_rate"], rate) and close(row["estimated_errors"], big_n * rate)
                assert close(row["estimated_errors_lower"], big_n * low, 1e-7)
                assert close(row["estimated_errors_upper"], big_n * high, 1e-7)
                assert bool(row["is_vital_few"]) == (cumulative - source["weighted_errors"]
                                                     / ranked["weighted_errors"].sum() < cut)
                checked += 1
            findings = by_cause[by_cause["findings"] > 0].sort_values(["findings", "root_cause_code"],
                                                                      ascending=[False, True])
            for rank, cause in enumerate(findings["root_cause_code"], 1):
                row = mart.loc[(month, scope_type, scope_value, "targeted_findings", cause)]
                assert row["pareto_rank"] == rank and pd.isna(row["estimated_errors"])
    assert checked > 50


def test_appeal_overturn_rate_next_to_audited_rates_with_wilson_intervals(built):
    appeals = built.query("select * from marts.fct_appeals where not is_open")
    appeals["month"] = month_of(appeals["decision_date"])
    decisions = decisions_frame(built)
    sample = decisions[decisions["is_in_sample"]]
    mart = built.query("select * from marts.agg_appeal_overturn_vs_audit")
    mart["month_start_date"] = pd.to_datetime(mart["month_start_date"]).dt.date
    mart = mart.set_index(["month_start_date", "scope_type", "scope_value"])
    disagreements = 0
    for scope in ("global", "vendor", "queue"):
        audited = scoped(sample, [scope]).groupby(["month", "scope_value"])
        for (month, scope_value), group in scoped(appeals, [scope]).groupby(["month", "scope_value"]):
            row = mart.loc[(month, scope, scope_value)]
            overturn = group["is_overturned"].mean()
            low, high = wilson(overturn, len(group))
            assert row["resolved_appeals"] == len(group) and close(row["appeal_overturn_rate"], overturn)
            assert close(row["appeal_overturn_rate_ci_low"], low) and close(row["appeal_overturn_rate_ci_high"], high)
            base = audited.get_group((month, scope_value))
            for name, classes in (("false_positive_rate", ("FP", "TN")), ("false_discovery_rate", ("FP", "TP"))):
                rows = base[base["outcome"].isin(classes)]
                w, y = rows["sampling_weight"].to_numpy(), (rows["outcome"] == "FP").to_numpy()
                rate = w[y].sum() / w.sum()
                rate_low, rate_high, _ = design_based_interval(w, y)
                tolerance = 1e-7 if len(w) <= 100 else TOLERANCE
                assert close(row[name], rate) and close(row[f"{name}_ci_low"], rate_low, tolerance)
                assert bool(row[f"is_disagreement_with_{name}"]) == (low > rate_high or high < rate_low)
                disagreements += bool(row[f"is_disagreement_with_{name}"])
    assert disagreements > 0


# ---------------------------------------------------------------------------- capacity forecast --


def test_capacity_forecast_matches_statsmodels_ols_and_the_backlog_recursion(built):
    capacity = built.query("select * from marts.agg_capacity_daily")
    capacity["date_day"] = pd.to_datetime(capacity["date_day"])
    origin = capacity["date_day"].max()
    training = capacity[capacity["date_day"] > origin - pd.Timedelta(days=VARS["forecast_training_days"])].copy()
    training["t"] = (training["date_day"] - origin).dt.days.astype(float)
    training["dow"] = training["date_day"].dt.day_of_week
    horizon = pd.date_range(origin + pd.Timedelta(days=1), periods=VARS["forecast_horizon_days"])
    future = pd.DataFrame({"date_day": horizon, "t": (horizon - origin).days.astype(float), "dow": horizon.day_of_week})
    shifts = built.query("select shift_date, productive_minutes from marts.fct_shifts where role = 'moderator'")
    per_day = shifts.groupby(pd.to_datetime(shifts["shift_date"]))["productive_minutes"].sum()
    days = pd.Series(sorted(training["date_day"].unique()))
    fte = per_day.reindex(days, fill_value=0).to_numpy() * 60 / VARS["productive_seconds_per_fte_day"]
    rostered_by_dow = pd.Series(fte).groupby(days.dt.day_of_week.to_numpy()).mean()
    fte_day = VARS["productive_seconds_per_fte_day"] * VARS["target_occupancy"]
    required, inflow = {}, {}
    for queue_id, group in training.groupby("queue_id"):
        fit = smf.ols("inflow ~ C(dow) + t", data=group).fit()
        inflow[queue_id] = np.maximum(0, fit.predict(future).to_numpy())
        aht = group["handle_seconds"].sum() / group["decisions"].sum()
        required[queue_id] = inflow[queue_id] * aht / fte_day
    total_required = sum(required.values())
    rostered = rostered_by_dow.loc[future["dow"]].to_numpy()
    coverage = rostered / total_required
    mart = built.query("select * from marts.agg_capacity_forecast")
    mart["forecast_date"] = pd.to_datetime(mart["forecast_date"])
    queues = pd.read_csv(PROJECT_DIR / "seeds" / "queues.csv").set_index("queue_id")["sla_minutes"]
    for queue_id in required:
        rows = mart[mart["queue_id"] == queue_id].sort_values("forecast_date")
        assert list(rows["forecast_date"]) == list(horizon)
        np.testing.assert_allclose(rows["forecast_inflow"], inflow[queue_id], rtol=TOLERANCE, atol=TOLERANCE)
        np.testing.assert_allclose(rows["required_fte"], required[queue_id], rtol=TOLERANCE, atol=TOLERANCE)
        np.testing.assert_allclose(rows["rostered_fte"], rostered * required[queue_id] / total_required,
                                   rtol=TOLERANCE, atol=TOLERANCE)
        backlog = float(capacity[(capacity["date_day"] == origin) & (capacity["queue_id"] == queue_id)]
                        ["backlog_end_of_day"].iloc[0])
        for row, day_inflow, day_coverage in zip(rows.itertuples(), inflow[queue_id], coverage, strict=True):
            capacity_today = day_inflow * day_coverage
            backlog = max(0.0, backlog + day_inflow - capacity_today)  # Lindley's recursion, step by step
            assert close(row.projected_backlog, backlog, 1e-9)
            wait = backlog / capacity_today * 1440 if capacity_today > 0 else None
            assert bool(row.is_sla_at_risk) == (wait > queues[queue_id] if wait is not None else backlog > 0)
    totals = mart[mart["scope_type"] == "total"].sort_values("forecast_date")
    np.testing.assert_allclose(totals["rostered_fte"], rostered, rtol=TOLERANCE, atol=TOLERANCE)
    np.testing.assert_allclose(totals["required_fte"], total_required, rtol=TOLERANCE, atol=TOLERANCE)


# ------------------------------------------------------------------------------------ CLI views --


def test_scorecard_and_calibration_views_print_the_marts(built):
    runner = CliRunner()
    shown = runner.invoke(cli(), ["scorecard", "--vendor", "acme", "--month", "2026-09",
                                  "--warehouse", str(built.warehouse)])
    assert shown.exit_code == 0, shown.output
    for expected in ("Acme Review Services (acme) — scorecard 2026-09", "Accuracy", "False-negative rate",
                     "QA turnaround (h)", "Error root causes: population estimates", "Targeted findings",
                     "Control charts", "Appeals:"):
        assert expected in shown.output
    session = built.query("select session_id from marts.agg_calibration_sessions "
                          "where session_id like 'cal-acme-%' order by 1 limit 1")["session_id"][0]
    calibration = runner.invoke(cli(), ["calibration", "--session", session, "--warehouse", str(built.warehouse)])
    assert calibration.exit_code == 0, calibration.output
    for expected in (f"Calibration session {session}", "Fleiss' κ", "Krippendorff's α", "PABAK", "Gwet's AC1",
                     "Raters against the expert", "Rater pairs", "(expert pair)"):
        assert expected in calibration.output


@pytest.mark.parametrize("args, message", [
    (["scorecard", "--vendor", "acmee", "--month", "2026-09"], "unknown vendor 'acmee'. Did you mean 'acme'?"),
    (["scorecard", "--vendor", "acme", "--month", "2031-01"], "no data for 2031-01"),
    (["scorecard", "--vendor", "acme", "--month", "Sept"], "--month must look like YYYY-MM"),
    (["calibration", "--session", "cal-nobody-20260101"], "unknown calibration session 'cal-nobody-20260101'"),
])
def test_views_explain_unknown_arguments_in_one_line(built, args, message):
    result = CliRunner().invoke(cli(), [*args, "--warehouse", str(built.warehouse)])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_views_without_a_published_warehouse_say_what_to_do(tmp_path):
    for args in (["scorecard", "--vendor", "acme", "--month", "2026-09"], ["calibration", "--session", "x"],
                 ["sample", "--date", "2026-09-01", "--budget", "10"]):
        result = CliRunner().invoke(cli(), [*args, "--warehouse", str(tmp_path)])
        assert result.exit_code == 2 and "run `modqa run" in result.output
    duckdb.connect(str(tmp_path / "warehouse.duckdb")).close()  # published by a version without these marts
    stale = CliRunner().invoke(cli(), ["calibration", "--session", "x", "--warehouse", str(tmp_path)])
    assert stale.exit_code == 2 and "lacks a mart this command reads" in " ".join(stale.output.split())
