"""The semantic layer (models/semantic/, MetricFlow) answers from the published warehouse exactly what
the marts' additive parts give when re-aggregated by hand: for day, week and month × vendor, queue and
market. The expected values are recomputed here from the marts' counts, Σw and Σw² with pandas,
statsmodels (Wilson) and numpy (percentiles), never taken from the metric definitions."""

from __future__ import annotations

import csv
import hashlib
import subprocess
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from orchestration.project import layout
from tests.semantic_layer import query_many, semantic_project

pytestmark = pytest.mark.slow

GRAINS = ("day", "week", "month")
TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def project(built_warehouse, tmp_path_factory):
    return semantic_project(built_warehouse, tmp_path_factory.mktemp("semantic_project"))


@pytest.fixture(scope="module")
def published(built_warehouse):
    return layout(built_warehouse).published_database


def read(database, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.sql(sql).df()


def period_start(day: date, grain: str) -> date:
    if grain == "week":  # ISO weeks start on Monday (DuckDB date_trunc('week'), MetricFlow's week)
        return day - timedelta(days=day.weekday())
    return day.replace(day=1) if grain == "month" else day


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return (numerator / denominator).where(denominator != 0)


def wilson(successes: pd.Series, trials: pd.Series, side: int) -> pd.Series:
    """statsmodels' Wilson 95 % interval, side 0 = lower, 1 = upper; NULL without trials."""
    bounds = [proportion_confint(s, n, alpha=0.05, method="wilson")[side] if n > 0 else np.nan
              for s, n in zip(successes, trials, strict=True)]
    return pd.Series(bounds, index=successes.index)


def grouped(frame: pd.DataFrame, date_column: str, grain: str, dimension: str | None):
    frame = frame.assign(period=[period_start(d, grain) for d in pd.to_datetime(frame[date_column]).dt.date])
    keys = ["period", dimension] if dimension else ["period"]
    return frame.groupby(keys)


def quality_expected(published, grain: str, dimension: str) -> pd.DataFrame:
    daily = read(published, "select * from marts.agg_quality_daily")
    sums = grouped(daily, "decision_date", grain, dimension).sum(numeric_only=True)
    correct = sums.true_positives + sums.true_negatives
    negatives = sums.false_positives + sums.true_negatives
    positives = sums.false_negatives + sums.true_positives
    return pd.DataFrame({
        "decisions": sums.decisions,
        "audited_decisions": sums.in_sample,
        "accuracy": ratio(correct, sums.in_sample),
        "accuracy_ci_low": wilson(correct, sums.in_sample, 0),
        "accuracy_ci_high": wilson(correct, sums.in_sample, 1),
        "policy_accuracy": ratio(sums.policy_correct, sums.in_sample),
        "false_positive_rate": ratio(sums.false_positives, negatives),
        "false_positive_rate_ci_low": wilson(sums.false_positives, negatives, 0),
        "false_positive_rate_ci_high": wilson(sums.false_positives, negatives, 1),
        "false_negative_rate": ratio(sums.false_negatives, positives),
        "false_negative_rate_ci_low": wilson(sums.false_negatives, positives, 0),
        "false_negative_rate_ci_high": wilson(sums.false_negatives, positives, 1),
        "precision": ratio(sums.true_positives, sums.true_positives + sums.false_positives),
        "recall": ratio(sums.true_positives, positives),
        "weighted_accuracy": ratio(sums.weighted_true_positives + sums.weighted_true_negatives, sums.sum_w),
        "weighted_false_positive_rate": ratio(sums.weighted_false_positives,
                                              sums.weighted_false_positives + sums.weighted_true_negatives),
        "weighted_false_negative_rate": ratio(sums.weighted_false_negatives,
                                              sums.weighted_false_negatives + sums.weighted_true_positives),
        "effective_sample_size": ratio(sums.sum_w * sums.sum_w, sums.sum_w2),
        "estimated_wrong_decisions": sums.weighted_false_positives + sums.weighted_false_negatives,
    })


def sla_expected(published, grain: str, dimension: str) -> pd.DataFrame:
    daily = read(published, "select * from marts.agg_sla_daily")
    sums = grouped(daily, "decision_date", grain, dimension).sum(numeric_only=True)
    first = read(published, "select decision_date, queue_id, market, time_to_decision_minutes "
                            "from marts.fct_decisions where is_first_decision")
    by_period = grouped(first, "decision_date", grain, dimension).time_to_decision_minutes
    expected = pd.DataFrame({
        "first_decisions": sums.first_decisions,
        "sla_attainment": ratio(sums.within_sla, sums.first_decisions),
        "sla_attainment_ci_low": wilson(sums.within_sla, sums.first_decisions, 0),
        "sla_attainment_ci_high": wilson(sums.within_sla, sums.first_decisions, 1),
        "mean_time_to_first_decision_minutes": ratio(sums.sum_time_to_decision_minutes, sums.first_decisions),
    })
    for q, name in ((50, "p50"), (90, "p90"), (95, "p95")):  # numpy's default: linear interpolation
        expected[f"time_to_first_decision_{name}_minutes"] = by_period.agg(lambda v, q=q: np.percentile(v, q))
    return expected


def capacity_expected(published, grain: str, dimension: str | None) -> pd.DataFrame:
    daily = read(published, "select * from marts.agg_capacity_daily")
    sums = grouped(daily, "date_day", grain, dimension).sum(numeric_only=True)
    # A backlog is a stock: its value on the period's last day (summed over queues when not split by queue).
    daily = daily.assign(period=[period_start(d, grain) for d in pd.to_datetime(daily.date_day).dt.date])
    last_day = daily.groupby("period").date_day.transform("max")
    keys = ["period", dimension] if dimension else ["period"]
    backlog = daily[daily.date_day == last_day].groupby(keys).backlog_end_of_day.sum()
    return pd.DataFrame({
        "inflow": sums.inflow,
        "outflow": sums.outflow,
        "backlog_end_of_period": backlog,
        "average_handle_seconds": ratio(sums.handle_seconds, sums.decisions),
        "required_fte_days": sums.required_fte,
        "rostered_fte_days": sums.rostered_fte,
        "staffing_coverage": ratio(sums.rostered_fte, sums.required_fte),
        "utilization": ratio(sums.handle_seconds, sums.moderator_logged_in_minutes * 60),
        "shrinkage": ratio(sums.moderator_scheduled_minutes - sums.moderator_logged_in_minutes,
                           sums.moderator_scheduled_minutes),
    })


ENTITY_COLUMN = {"vendor": "vendor_id", "queue": "queue_id", "market": "market"}


def assert_same(answer: pd.DataFrame, expected: pd.DataFrame, grain: str, entity: str | None) -> None:
    keys = [f"metric_time__{grain}"] + ([entity] if entity else [])
    answer = answer.set_index(keys).sort_index()
    expected = expected.sort_index()
    expected.index = expected.index.set_names(keys)
    assert list(answer.index) == list(expected.index), f"{grain} × {entity}: different groups"
    for metric in expected.columns:
        got = answer[metric].astype(float).to_numpy()
        want = expected[metric].astype(float).to_numpy()
        assert np.array_equal(np.isnan(got), np.isnan(want)), f"{metric} at {grain} × {entity}: NULLs differ"
        mask = ~np.isnan(want)
        np.testing.assert_allclose(got[mask], want[mask], rtol=TOLERANCE, atol=TOLERANCE,
                                   err_msg=f"{metric} at {grain} × {entity}")


QUALITY_METRICS = ["decisions", "audited_decisions", "accuracy", "accuracy_ci_low", "accuracy_ci_high",
                   "policy_accuracy", "false_positive_rate", "false_positive_rate_ci_low",
                   "false_positive_rate_ci_high", "false_negative_rate", "false_negative_rate_ci_low",
                   "false_negative_rate_ci_high", "precision", "recall", "weighted_accuracy",
                   "weighted_false_positive_rate", "weighted_false_negative_rate", "effective_sample_size",
                   "estimated_wrong_decisions"]
SLA_METRICS = ["first_decisions", "sla_attainment", "sla_attainment_ci_low", "sla_attainment_ci_high",
               "mean_time_to_first_decision_minutes", "time_to_first_decision_p50_minutes",
               "time_to_first_decision_p90_minutes", "time_to_first_decision_p95_minutes"]
CAPACITY_METRICS = ["inflow", "outflow", "backlog_end_of_period", "average_handle_seconds", "required_fte_days",
                    "rostered_fte_days", "staffing_coverage", "utilization", "shrinkage"]

CASES = ([("quality", grain, entity) for grain in GRAINS for entity in ("vendor", "queue", "market")]
         + [("sla", grain, entity) for grain in GRAINS for entity in ("queue", "market")]
         + [("capacity", grain, entity) for grain in GRAINS for entity in ("queue", None)])
METRICS = {"quality": QUALITY_METRICS, "sla": SLA_METRICS, "capacity": CAPACITY_METRICS}
EXPECTED = {"quality": quality_expected, "sla": sla_expected, "capacity": capacity_expected}


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_metrics_equal_the_marts_re_aggregated_at_every_grain(project, published):
    before = sha256(published)
    queries = [{"metrics": METRICS[family], "group_by": [f"metric_time__{grain}"] + ([entity] if entity else [])}
               for family, grain, entity in CASES]
    answers = query_many(project, queries)
    checked = 0
    for (family, grain, entity), answer in zip(CASES, answers, strict=True):
        expected = EXPECTED[family](published, grain, ENTITY_COLUMN.get(entity))
        assert not answer.empty
        assert_same(answer, expected, grain, entity)
        checked += expected.size
    assert checked > 2000
    assert sha256(published) == before  # read-only: the published file is untouched


def test_the_semantic_layer_reads_only_the_published_warehouse(project, built_warehouse):
    """No build database, no raw layer: MetricFlow's profile target is the published file, read-only."""
    lay = layout(built_warehouse)
    hidden = [lay.build_database, lay.raw]
    for path in hidden:
        path.rename(path.with_name(path.name + ".hidden"))
    try:
        (answer,) = query_many(project, [{"metrics": ["audited_decisions"], "group_by": ["metric_time__month"]}])
    finally:
        for path in hidden:
            path.with_name(path.name + ".hidden").rename(path)
    expected = read(lay.published_database, "select sum(in_sample) from marts.agg_quality_daily").iloc[0, 0]
    assert answer.audited_decisions.sum() == expected


def test_mf_query_command_answers_a_bi_question(project, published, tmp_path):
    """The command the README documents: monthly accuracy per vendor with its Wilson interval."""
    out = tmp_path / "accuracy.csv"
    command = [project.mf, "query", "--metrics", "accuracy,accuracy_ci_low,accuracy_ci_high,audited_decisions",
               "--group-by", "metric_time__month,vendor", "--csv", str(out), "--quiet"]
    ran = subprocess.run(command, cwd=project.root, env=project.env, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    answer = pd.DataFrame(rows)
    answer["metric_time__month"] = [date.fromisoformat(v[:10]) for v in answer.metric_time__month]
    expected = quality_expected(published, "month", "vendor_id")[
        ["accuracy", "accuracy_ci_low", "accuracy_ci_high", "audited_decisions"]]
    answer[expected.columns] = answer[expected.columns].replace("", np.nan).astype(float)
    assert_same(answer, expected, "month", "vendor")


def test_interval_metrics_call_the_marts_own_wilson_formula(published):
    """The SQL functions the interval metrics call are rendered from the macro the marts use: at the
    mart's own grain they give the mart's columns exactly."""
    with duckdb.connect(str(published), read_only=True) as con:
        worst = con.sql("""
            select max(abs(marts.wilson_lower_bound(accuracy, in_sample) - accuracy_ci_low)),
                   max(abs(marts.wilson_upper_bound(accuracy, in_sample) - accuracy_ci_high)),
                   max(abs(marts.wilson_lower_bound(false_positive_rate, false_positives + true_negatives)
                           - false_positive_rate_ci_low)),
                   count(*) filter (where (accuracy_ci_low is null) <> (marts.wilson_lower_bound(accuracy, in_sample)
                                                                       is null))
            from marts.agg_quality_daily""").fetchall()[0]
    assert worst[0] == 0 and worst[1] == 0 and worst[2] == 0 and worst[3] == 0
