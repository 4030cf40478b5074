"""The published marts against an independent computation from the landing files (to 1e-9):
pandas for the joins and rules, statsmodels for Wilson intervals, scikit-learn for the confusion
matrix, numpy for percentiles."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import confusion_matrix
from statsmodels.stats.proportion import proportion_confint

from orchestration.project import layout
from tests import oracle

pytestmark = pytest.mark.slow
TOLERANCE = 1e-9
GRAIN = ["decision_date", "vendor_id", "queue_id", "market"]


def published(warehouse, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(layout(warehouse).published_database), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


@pytest.fixture(scope="module")
def expected_decisions(small_landing) -> pd.DataFrame:
    decisions = oracle.decisions_with_vendor(small_landing)
    verdicts = oracle.effective_verdicts(small_landing, decisions)
    frame = decisions.merge(verdicts, on="decision_id", how="left")
    frame["is_in_sample"] = frame["is_in_sample"].fillna(False).astype(bool)
    frame["decision_date"] = frame["decided_at"].dt.date
    return frame


@pytest.fixture(scope="module")
def quality(built_warehouse) -> pd.DataFrame:
    frame = published(built_warehouse, "select * from marts.agg_quality_daily")
    frame["decision_date"] = pd.to_datetime(frame["decision_date"]).dt.date
    return frame


def _wilson(count, nobs):
    low, high = proportion_confint(count, nobs, alpha=0.05, method="wilson")
    return low, high


def test_confusion_matrix_matches_scikit_learn(expected_decisions, quality):
    sample = expected_decisions[expected_decisions["is_in_sample"]]
    (tn, fp), (fn, tp) = confusion_matrix(
        sample["effective_qa_verdict"], sample["verdict"], labels=["approve", "reject"])
    assert quality["true_negatives"].sum() == tn
    assert quality["false_positives"].sum() == fp
    assert quality["false_negatives"].sum() == fn
    assert quality["true_positives"].sum() == tp
    assert quality["decisions"].sum() == len(expected_decisions)
    assert quality["in_sample"].sum() == len(sample)
    assert tp > 0 and fp > 0 and fn > 0 and tn > 0  # the data exercises every class


def _expected_rates(expected_decisions) -> pd.DataFrame:
    frame = expected_decisions.copy()
    sample = frame["is_in_sample"]
    moderator_reject = frame["verdict"].eq("reject")
    qa_reject = frame["effective_qa_verdict"].eq("reject")
    w = frame["weight"].where(sample, 0.0).fillna(0.0)
    frame["n"] = sample.astype(int)
    frame["tp"] = (sample & moderator_reject & qa_reject).astype(int)
    frame["fp"] = (sample & moderator_reject & ~qa_reject).astype(int)
    frame["fn"] = (sample & ~moderator_reject & qa_reject).astype(int)
    frame["tn"] = (sample & ~moderator_reject & ~qa_reject).astype(int)
    for cls in ("tp", "fp", "fn", "tn"):
        frame[f"w_{cls}"] = w * frame[cls]
        frame[f"w2_{cls}"] = w * w * frame[cls]
    sums = frame.groupby(GRAIN).agg(
        decisions=("decision_id", "count"), **{c: (c, "sum") for c in [
            "n", "tp", "fp", "fn", "tn", "w_tp", "w_fp", "w_fn", "w_tn", "w2_tp", "w2_fp", "w2_fn", "w2_tn"]}
    ).reset_index()
    return sums


def test_unweighted_rates_and_wilson_intervals_match_statsmodels(expected_decisions, quality):
    expected = _expected_rates(expected_decisions)
    merged = expected.merge(quality, on=GRAIN, how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), "marts and oracle have different groups"
    assert (merged["decisions_x"] == merged["decisions_y"]).all()
    assert (merged["n"] == merged["in_sample"]).all()
    checks = {
        "accuracy": (merged["tp"] + merged["tn"], merged["n"]),
        "false_positive_rate": (merged["fp"], merged["fp"] + merged["tn"]),
        "false_negative_rate": (merged["fn"], merged["fn"] + merged["tp"]),
    }
    compared = 0
    for rate, (count, nobs) in checks.items():
        defined = nobs > 0
        assert merged.loc[~defined, rate].isna().all(), f"{rate} must be NULL on a zero denominator"
        low, high = _wilson(count[defined].to_numpy(float), nobs[defined].to_numpy(float))
        np.testing.assert_allclose(merged.loc[defined, rate], count[defined] / nobs[defined], rtol=0, atol=TOLERANCE)
        np.testing.assert_allclose(merged.loc[defined, f"{rate}_ci_low"], low, rtol=0, atol=TOLERANCE)
        np.testing.assert_allclose(merged.loc[defined, f"{rate}_ci_high"], high, rtol=0, atol=TOLERANCE)
        compared += int(defined.sum())
    assert compared > 100


def _design_based_wilson(p, n_star):
    """Wilson on an effective size; [0, 1] when it is 0 (a single sampled decision)."""
    low, high = _wilson((p * n_star).to_numpy(), n_star.to_numpy())
    return np.where(n_star > 0, low, 0.0), np.where(n_star > 0, high, 1.0)


def test_weighted_rates_use_horvitz_thompson_with_design_based_intervals(expected_decisions, quality):
    """Weighted intervals are Wilson on the mart's n* (its computation from the variance: test_decision_grade);
    Kish n_eff is published beside it."""
    expected = _expected_rates(expected_decisions)
    merged = expected.merge(quality, on=GRAIN)
    sum_w = merged[["w_tp", "w_fp", "w_fn", "w_tn"]].sum(axis=1)
    sum_w2 = merged[["w2_tp", "w2_fp", "w2_fn", "w2_tn"]].sum(axis=1)
    np.testing.assert_allclose(merged["sum_w"], sum_w, rtol=1e-12, atol=TOLERANCE)
    np.testing.assert_allclose(merged["sum_w2"], sum_w2, rtol=1e-12, atol=TOLERANCE)
    defined = sum_w > 0
    p = (merged["w_tp"] + merged["w_tn"])[defined] / sum_w[defined]
    n_eff = sum_w[defined] ** 2 / sum_w2[defined]
    low, high = _design_based_wilson(p, merged.loc[defined, "design_effective_sample_size"])
    np.testing.assert_allclose(merged.loc[defined, "weighted_accuracy"], p, rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(merged.loc[defined, "effective_sample_size"], n_eff, rtol=1e-12, atol=TOLERANCE)
    np.testing.assert_allclose(merged.loc[defined, "weighted_accuracy_ci_low"], low, rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(merged.loc[defined, "weighted_accuracy_ci_high"], high, rtol=0, atol=TOLERANCE)
    negatives = merged["w_fp"] + merged["w_tn"]
    has = negatives > 0
    fpr = merged["w_fp"][has] / negatives[has]
    low, high = _design_based_wilson(fpr, merged.loc[has, "design_effective_sample_size_negatives"])
    np.testing.assert_allclose(merged.loc[has, "weighted_false_positive_rate"], fpr, rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(merged.loc[has, "weighted_false_positive_rate_ci_low"], low, rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(merged.loc[has, "weighted_false_positive_rate_ci_high"], high, rtol=0,
                               atol=TOLERANCE)
    positives = merged["w_fn"] + merged["w_tp"]
    has = positives > 0
    fnr = merged["w_fn"][has] / positives[has]
    np.testing.assert_allclose(merged.loc[has, "weighted_false_negative_rate"], fnr, rtol=0, atol=TOLERANCE)
    # ratio-calibrated to the cell's decisions, not raw Σw (which falls short while audits arrive)
    calibrated = merged["decisions_y"] * (merged["w_fp"] + merged["w_fn"]) / sum_w
    np.testing.assert_allclose(merged.loc[defined, "estimated_wrong_decisions"], calibrated[defined],
                               rtol=1e-12, atol=TOLERANCE)


def test_whole_period_summary_recomputes_rates_from_sums(expected_decisions, built_warehouse):
    summary = published(built_warehouse, "select * from marts.agg_quality_summary")
    sample = expected_decisions[expected_decisions["is_in_sample"]]
    for vendor, rows in [("all", sample)] + list(sample.groupby("vendor_id")):
        scope = "global" if vendor == "all" else "vendor"
        row = summary[(summary["scope_type"] == scope) & (summary["scope_value"] == vendor)].iloc[0]
        correct = int((rows["verdict"] == rows["effective_qa_verdict"]).sum())
        low, high = _wilson(correct, len(rows))
        assert row["in_sample"] == len(rows)
        assert abs(row["accuracy"] - correct / len(rows)) < TOLERANCE
        assert abs(row["accuracy_ci_low"] - low) < TOLERANCE
        assert abs(row["accuracy_ci_high"] - high) < TOLERANCE


def test_sla_percentiles_match_numpy(small_landing, built_warehouse):
    items = oracle.first_decisions(small_landing)
    decided = items[items["decided_at"].notna()].copy()
    decided["decision_date"] = decided["decided_at"].dt.date
    sla = published(built_warehouse, "select * from marts.agg_sla_daily")
    sla["decision_date"] = pd.to_datetime(sla["decision_date"]).dt.date
    groups = decided.groupby(["decision_date", "queue_id", "market"])
    assert len(groups) == len(sla)
    indexed = sla.set_index(["decision_date", "queue_id", "market"])
    for key, rows in groups:
        row = indexed.loc[key]
        minutes = rows["minutes"].to_numpy()
        p50, p90, p95 = np.percentile(minutes, [50, 90, 95])
        assert row["first_decisions"] == len(rows)
        assert row["within_sla"] == int((minutes <= rows["sla_minutes"].to_numpy()).sum())
        assert abs(row["p50_time_to_decision_minutes"] - p50) < TOLERANCE
        assert abs(row["p90_time_to_decision_minutes"] - p90) < TOLERANCE
        assert abs(row["p95_time_to_decision_minutes"] - p95) < TOLERANCE


def test_backlog_follows_its_definition(small_landing, built_warehouse):
    items = oracle.first_decisions(small_landing)
    capacity = published(built_warehouse, "select * from marts.agg_capacity_daily")
    capacity["date_day"] = pd.to_datetime(capacity["date_day"])
    checked = 0
    for _, row in capacity.iterrows():
        end_of_day = row["date_day"] + pd.Timedelta(days=1)
        queue = items[items["queue_id"] == row["queue_id"]]
        waiting = (queue["enqueued_at"] < end_of_day) & ~(queue["decided_at"] < end_of_day)
        due = queue["enqueued_at"] + pd.to_timedelta(queue["sla_minutes"], unit="m")
        assert row["backlog_end_of_day"] == int(waiting.sum()), (row["queue_id"], row["date_day"])
        assert row["overdue_backlog_end_of_day"] == int((waiting & (due < end_of_day)).sum())
        assert row["inflow"] == int((queue["enqueued_at"].dt.normalize() == row["date_day"]).sum())
        checked += 1
    assert checked > 0 and capacity["backlog_end_of_day"].max() > 0
