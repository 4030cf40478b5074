"""The report's sections, in page order: charts and tables made from ReportData (rows of the marts)."""

from __future__ import annotations

from markupsafe import Markup

from orchestration.report import charts
from orchestration.report.data import ReportData
from orchestration.report.page import Section, kpi_table


def _pct(value) -> str:
    return "—" if value is None else f"{value:.1%}"


def _num(value, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _text(value) -> dict:
    """A cell of words (left-aligned; numbers stay right-aligned)."""
    return {"text": value, "attrs": {"class": "text"}}


def _svg(svg: str | None) -> list[Markup]:
    return [Markup(svg)] if svg else []


def kpis(data: ReportData) -> Section:
    return Section("kpis", "KPI attainment",
                   "Quality rates are weighted population estimates. A status needs the whole interval on one "
                   "side of the target: otherwise it is inconclusive, whatever the point value.",
                   [], [kpi_table(data)])


def trends(data: ReportData) -> Section:
    labels = {("global", "all"): "Programme", **{("vendor", v): v for v in data.vendors}}
    weeks = [{**w, "scope_label": labels.get((w["scope_type"], w["scope_value"]), w["scope_value"]),
              "scope_key": w["scope_value"]} for w in data.quality_weeks]
    order = list(dict.fromkeys(w["scope_label"] for w in sorted(weeks, key=lambda w: w["scope_type"] != "global")))
    targets = {(t["scope_value"], t["metric"]): t["target"] for t in data.trend_targets}
    svg = charts.quality_trends(weeks, targets, order)
    return Section("trends", "Quality trends by week",
                   "Weighted accuracy, false-positive and false-negative rates per ISO week with 95% bands; "
                   "dashed: this month's target. Triangles mark provisional weeks; a week without a point "
                   "had too few audits (n* below the minimum).",
                   _svg(svg), [] if svg else [_empty("No weekly quality figures in this window.")])


def control(data: ReportData) -> Section:
    signals = [p for p in data.control_points if p["is_out_of_control"]]
    vendors = sorted({p["scope_value"] for p in data.control_points})
    table = {"id": "control-signals", "caption": f"Signals this month ({len(signals)})",
             "headers": ["Vendor", "Metric", "Day", "Audits", "Observed rate", "Reference rate", "CUSUM S",
                         "Threshold"],
             "rows": [{"cells": [p["scope_value"], _text(charts.CONTROL_METRICS.get(p["metric"], p["metric"])),
                                 p["decision_date"].isoformat(), _num(p["trials"]), _pct(p["observed_rate"]),
                                 _pct(p["reference_rate"]), _num(p["cusum_statistic"], 2),
                                 _num(p["threshold"], 2)]} for p in signals[:15]],
             "empty": "No out-of-control signal this month."}
    return Section("control", "Control charts",
                   "Bernoulli CUSUM per vendor against its frozen baseline: the statistic climbs with errors "
                   "above the reference rate; a point above the dashed threshold is a signal (red).",
                   _svg(charts.control_charts(data.control_points, vendors)), [table])


def sla(data: ReportData) -> Section:
    latest = {}
    for w in data.sla_weeks:
        latest[w["queue_id"]] = w
    table = {"caption": "Latest week per queue", "headers": ["Queue", "Week of", "SLA (min)", "p50 (min)",
                                                             "p90 (min)", "Within SLA", "95% interval"],
             "rows": [{"cells": [q, w["week_start_date"].isoformat(), _num(w["sla_minutes"]),
                                 _num(w["p50_time_to_decision_minutes"], 1), _num(w["p90_time_to_decision_minutes"], 1),
                                 _pct(w["sla_attainment"]),
                                 f"{_pct(w['sla_attainment_ci_low'])}–{_pct(w['sla_attainment_ci_high'])}"]}
                      for q, w in sorted(latest.items())]}
    return Section("sla", "SLA: time to decision",
                   "Per queue and week: median and 90th percentile of time to first decision against the "
                   "queue's SLA (dashed, log scale), and the share decided within it with its 95% band. "
                   "Queues are shared by every vendor.",
                   _svg(charts.sla_panels(data.sla_weeks)), [table])


def capacity(data: ReportData) -> Section:
    understaffed = [f for f in data.capacity_forecast if f["is_understaffed"]]
    at_risk = [f for f in data.capacity_forecast if f["is_sla_at_risk"]]
    forecast_note = (f"Forecast from {data.capacity_forecast[0]['origin_date']} for "
                     f"{len(data.capacity_forecast)} days: {len(understaffed)} understaffed, "
                     f"{len(at_risk)} with the SLA at risk. The forecast mart publishes point forecasts; "
                     "it has no prediction interval yet, so none is drawn."
                     if data.capacity_forecast else "No forecast was made from this month.")
    return Section("capacity", "Capacity and staffing",
                   "Daily inflow and end-of-day backlog, required against rostered FTE (all queues), then the "
                   "forecast horizon (dashed). " + forecast_note,
                   _svg(charts.capacity_panels(data.capacity_days, data.capacity_forecast)), [])


def root_causes(data: ReportData) -> Section:
    labels = {"all": "Programme", **{v: v for v in data.vendors}}
    table = {"caption": "Top root causes (population estimates)",
             "headers": ["#", "Root cause", "Est. errors", "95% interval", "Share", "Cumulative", "Audited errors"],
             "rows": [{"cells": [c["pareto_rank"], _text(c["root_cause_code"]), _num(c["estimated_errors"]),
                                 f"{_num(c['estimated_errors_lower'])}–{_num(c['estimated_errors_upper'])}",
                                 _pct(c["error_share"]), _pct(c["cumulative_error_share"]), _num(c["errors"])]}
                      for c in data.root_causes[:6]],
             "empty": "No randomly audited errors this month (no population estimate)."}
    return Section("root-causes", "Root causes and appeals",
                   "Root causes ranked on population estimates (random audits, weighted) with 95% intervals and "
                   "the cumulative share; below, appeals overturned against what the audits say about wrong "
                   "rejections, each with its interval.",
                   _svg(charts.root_cause_pareto(data.root_causes))
                   + _svg(charts.appeals_against_audits(data.appeals, labels)), [table])


def calibration(data: ReportData) -> Section:
    drifting = [r for r in data.drifting_raters if r["tendency"] != "balanced"]
    table = {"id": "drifting-raters", "caption": f"Raters drifting this month ({len(drifting)} of "
                                                 f"{len(data.drifting_raters)} scored)",
             "headers": ["Rater", "Vendor", "Labels", "Verdict accuracy", "Too strict (FP)", "Too lenient (FN)",
                         "q (BH)", "Tendency"],
             "rows": [{"cells": [r["rater_id"], _text(r["rater_vendor_id"] or "—"), _num(r["labels_scored"]),
                                 _pct(r["verdict_accuracy"]), _num(r["false_positives"]), _num(r["false_negatives"]),
                                 _num(r["mcnemar_q_value"], 3), r["tendency"].replace("_", " ")]}
                      for r in drifting],
             "empty": "No rater is too strict or too lenient this month (McNemar, BH-adjusted)."}
    svg = charts.calibration_agreement(data.calibration_sessions)
    return Section("calibration", "Calibration",
                   "Agreement among raters per session: Fleiss' κ with its bootstrap 95% interval, and PABAK and "
                   "Gwet's AC1, which stay meaningful when one verdict dominates.",
                   _svg(svg), ([] if svg else [_empty("No calibration session this month.")]) + [table])


def data_quality(data: ReportData) -> Section:
    ingest = {"caption": "Landing files and rows, per table (since the warehouse began)",
              "headers": ["Table", "Files", "Rejected", "Rows loaded", "Quarantined", "Duplicates", "Orphans",
                          "Superseded"],
              "rows": [{"cells": [r["table_name"], _num(r["files_seen"]), _num(r["files_rejected"]),
                                  _num(r["rows_loaded"]), _num(r["rows_quarantined"]), _num(r["rows_duplicate"]),
                                  _num(r["orphan_rows"]), _num(r["superseded_versions"])]} for r in data.ingest]}
    quarantine = {"caption": "Quarantined rows by reason",
                  "headers": ["Table", "Reason", "Rows", "First file", "Line"],
                  "rows": [{"cells": [r["table_name"], _text(r["reason_code"]), _num(r["rows_quarantined"]),
                                      {"text": r["example_file"], "attrs": {"class": "text"}},
                                      _num(r["example_line"])]} for r in data.quarantine[:10]],
                  "empty": "No row was quarantined."}
    orphans = {"caption": "Orphans (rows whose parent never arrived)", "headers": ["Table", "Parent", "Rows"],
               "rows": [{"cells": [r["table_name"], _text(r["parent_table"]), _num(r["orphan_rows"])]}
                        for r in data.orphans],
               "empty": "No orphan rows."}
    conflicts = {"caption": "Keys delivered in conflicting versions",
                 "headers": ["Table", "Keys", "Delivery order in doubt"],
                 "rows": [{"cells": [r["table_name"], _num(r["keys_with_conflicting_versions"]),
                                     _num(r["keys_order_in_doubt"])]} for r in data.conflicting_versions],
                 "empty": "No key was delivered in conflicting versions."}
    gate = data.gate
    warnings = {"id": "gate-warnings",
                "caption": (f"Great Expectations gate of {gate['validated_at']}: {gate['expectations']} "
                            f"expectations on {gate['suites']} tables passed; warnings (published anyway)")
                if gate else "Great Expectations gate: no record of the published build's validation",
                "headers": ["Table", "Check", "What was found"],
                "rows": [{"cells": [w["table"], {"text": w["description"] or w["check"], "attrs": {"class": "text"}},
                                    {"text": w["observed"], "attrs": {"class": "text"}}]}
                         for w in (gate or {}).get("warnings", [])],
                "empty": "No warning." if gate else "Run `modqa run` to record one."}
    return Section("data-quality", "Data quality",
                   "What came in and what was held back, from the monitoring tables of the published warehouse "
                   "and the gate's record of the build it published (this replaces the Great Expectations "
                   "Data Docs for readers: those need a network to render).",
                   [], [ingest, warnings, quarantine, orphans, conflicts])


def _empty(text: str) -> dict:
    return {"caption": "", "headers": [""], "rows": [], "empty": text}


SECTIONS = (kpis, trends, control, sla, capacity, root_causes, calibration, data_quality)


def build_sections(data: ReportData) -> list[Section]:
    return [make(data) for make in SECTIONS]
