"""Read-only CLI views on the published warehouse: the audit worklist (`sample`), a vendor's monthly
scorecard (`scorecard`), a calibration session (`calibration`) and the moderator coaching list
(`coaching`).

`register(group)` adds the four commands to a click group (the `modqa` CLI calls it). The commands
are thin: `read_*` functions return plain data from `<warehouse>/warehouse.duckdb` and `render_*`
functions print it with rich, so tests call either directly.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from datetime import date
from difflib import get_close_matches
from pathlib import Path

import click
import duckdb
from rich.console import Console
from rich.table import Table

from orchestration.errors import UsageError
from orchestration.project import DEFAULT_WAREHOUSE
from orchestration.sampling import (
    DEFAULT_SALT,
    Worklist,
    draw_worklist,
    missing_mart,
    published_database,
    write_worklist,
)

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
KPI_ORDER = ("accuracy", "false_positive_rate", "false_negative_rate", "precision", "recall", "sla_attainment",
             "qa_turnaround_hours", "backlog_items")
KPI_LABELS = {"accuracy": "Accuracy", "false_positive_rate": "False-positive rate",
              "false_negative_rate": "False-negative rate", "precision": "Precision", "recall": "Recall",
              "sla_attainment": "SLA attainment", "qa_turnaround_hours": "QA turnaround (h)",
              "backlog_items": "Backlog (items)"}
STATUS_STYLES = {"stretch_met": "bold green", "met": "green", "missed": "red", "inconclusive": "cyan",
                 "insufficient_sample": "yellow", "no_target": "dim"}


def _console() -> Console:
    return Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def _query(database: Path, sql: str, parameters: list | None = None) -> list[dict]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        cursor = con.execute(sql, parameters or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    except duckdb.CatalogException as error:
        raise missing_mart(database, error) from None
    finally:
        con.close()


def parse_month(text: str) -> date:
    match = MONTH_PATTERN.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(f"--month must look like YYYY-MM (e.g. 2026-09), got {text!r}")
    return date(int(match.group(1)), int(match.group(2)), 1)


# ---------------------------------------------------------------------------------------- formatting --


def _rate(value) -> str:
    return "—" if value is None else f"{value:.1%}"


def _number(value, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _kpi_value(metric: str, value) -> str:
    if value is None:
        return "—"
    if metric == "backlog_items":
        return f"{value:,.0f}"
    if metric == "qa_turnaround_hours":
        return f"{value:.1f}"
    return f"{value:.1%}"


def _kpi_interval(row: dict) -> str:
    if row["ci_lower"] is None or row["interval_method"] == "exact_count":
        return "—" if row["value"] is None or row["interval_method"] != "exact_count" else "exact"
    return f"{_kpi_value(row['metric'], row['ci_lower'])}–{_kpi_value(row['metric'], row['ci_upper'])}"


def _status(row: dict) -> str:
    style = STATUS_STYLES.get(row["status"], "")
    text = row["status"].replace("_", " ")
    if row.get("is_suppressed"):
        text += " (n* < minimum: withheld)"
    if row.get("is_complete_period") is False:
        text += " (provisional)"
    return f"[{style}]{text}[/{style}]" if style else text


# ------------------------------------------------------------------------------------------- sample --


def render_worklist(worklist: Worklist, path: Path, console: Console) -> None:
    drawn = worklist.drawn_per_stratum()
    by_vendor: dict[str, dict] = {}
    for allocation in worklist.allocations:
        totals = by_vendor.setdefault(allocation.stratum.vendor_id,
                                      {"strata": 0, "decisions": 0, "planned": 0.0, "drawn": 0})
        totals["strata"] += 1
        totals["decisions"] += allocation.stratum.population
        totals["planned"] += allocation.planned_audits
        totals["drawn"] += drawn.get(allocation.stratum.stratum_id, 0)
    table = Table(title=f"Audit worklist for {worklist.day} (budget {worklist.budget:g}, "
                        f"target ±{worklist.half_width:g} per stratum)", title_justify="left", header_style="bold")
    for header in ("Vendor", "Strata", "Decisions", "Planned audits", "Drawn", "Mean rate"):
        table.add_column(header, justify="left" if header == "Vendor" else "right")
    for vendor, totals in sorted(by_vendor.items()):
        table.add_row(vendor, f"{totals['strata']:,}", f"{totals['decisions']:,}", f"{totals['planned']:.1f}",
                      f"{totals['drawn']:,}", _rate(totals["planned"] / totals["decisions"]))
    console.print(table)
    console.print(f"Wrote {len(worklist.rows):,} decisions (planned {worklist.planned_audits:.1f}) to {path}; "
                  f"salt {worklist.salt!r}. Same date, budget and salt → the same worklist.")


@click.command()
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), required=True,
              help="Decision day to sample (YYYY-MM-DD).")
@click.option("--budget", type=click.FloatRange(min=0, min_open=True), required=True,
              help="Audits the QA team can do for the day (a cap; expected, not exact: Poisson sampling).")
@click.option("--warehouse", type=click.Path(path_type=Path), default=DEFAULT_WAREHOUSE, show_default=True)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="CSV to write (default: audit_worklist_<date>.csv in the current folder).")
@click.option("--salt", default=DEFAULT_SALT, show_default=True,
              help="Salt of the inclusion hash; change it to draw an independent sample of the same day.")
@click.option("--half-width", type=float, default=None,
              help="Target 95%% CI half-width per stratum (default: the warehouse's sampling_target_half_width).")
def sample(day, budget: float, warehouse: Path, out: Path | None, salt: str, half_width: float | None) -> None:
    """Allocate a day's audit budget across strata and write the audit worklist CSV."""
    worklist = draw_worklist(warehouse, day.date(), budget, salt=salt, half_width=half_width)
    path = write_worklist(worklist, out or Path(f"audit_worklist_{worklist.day}.csv"))
    render_worklist(worklist, path, _console())


# ---------------------------------------------------------------------------------------- scorecard --


@dataclass
class Scorecard:
    vendor_id: str
    vendor_name: str
    month: date
    kpis: list[dict]
    root_causes: list[dict]
    control_points: list[dict]
    appeals: dict | None
    calibration_sessions: list[dict] = field(default_factory=list)


def read_scorecard(warehouse: Path | str, vendor_id: str, month: date) -> Scorecard:
    database = published_database(warehouse)
    vendors = _query(database, "select vendor_id, vendor_name from marts.dim_vendor order by vendor_id")
    names = {v["vendor_id"]: v["vendor_name"] for v in vendors}
    if vendor_id not in names:
        close = get_close_matches(vendor_id, list(names), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UsageError(f"unknown vendor {vendor_id!r}.{hint} Known vendors: {', '.join(names)}")
    months = [r["month_start_date"] for r in _query(
        database, "select distinct month_start_date from marts.agg_kpi_attainment_monthly order by 1")]
    if month not in months:
        available = ", ".join(m.strftime("%Y-%m") for m in months) or "none yet"
        raise UsageError(f"no data for {month:%Y-%m} in {database}; months available: {available}")
    kpis = _query(database, """
        select * from marts.agg_kpi_attainment_monthly
        where month_start_date = ? and scope_type = 'vendor' and scope_value = ?""", [month, vendor_id])
    kpis.sort(key=lambda r: KPI_ORDER.index(r["metric"]) if r["metric"] in KPI_ORDER else len(KPI_ORDER))
    root_causes = _query(database, """
        select * from marts.agg_error_root_cause_pareto
        where month_start_date = ? and scope_type = 'vendor' and scope_value = ?
        order by pareto_rank""", [month, vendor_id])
    control_points = _query(database, """
        select * from marts.agg_quality_control_chart
        where chart_scope_type = 'vendor' and scope_value = ?
          and decision_date >= ? and decision_date < ? + interval 1 month
        order by metric, decision_date""", [vendor_id, month, month])
    appeals = _query(database, """
        select * from marts.agg_appeal_overturn_vs_audit
        where month_start_date = ? and scope_type = 'vendor' and scope_value = ?""", [month, vendor_id])
    sessions = _query(database, """
        select * from marts.agg_calibration_sessions
        where vendor_id = ? and session_date >= ? and session_date < ? + interval 1 month
        order by session_date, session_id""", [vendor_id, month, month])
    return Scorecard(vendor_id, names[vendor_id], month, kpis, root_causes, control_points,
                     appeals[0] if appeals else None, sessions)


def render_scorecard(card: Scorecard, console: Console) -> None:
    provisional = any(row.get("is_complete_period") is False for row in card.kpis)
    console.print(f"[bold]{card.vendor_name} ({card.vendor_id}) — scorecard {card.month:%Y-%m}[/bold]"
                  + (" [yellow](provisional: the month's audits are not all in)[/yellow]" if provisional else ""))
    table = Table(title="KPIs with 95% intervals (quality rates are weighted population estimates; a status "
                        "needs the whole interval on one side of the target)",
                  title_justify="left", header_style="bold")
    for header, justify in (("KPI", "left"), ("Value", "right"), ("95% interval", "right"), ("n*", "right"),
                            ("Kish n_eff", "right"), ("Target", "right"), ("Stretch", "right"), ("Status", "left")):
        table.add_column(header, justify=justify, no_wrap=True)
    for row in card.kpis:
        table.add_row(KPI_LABELS.get(row["metric"], row["metric"]), _kpi_value(row["metric"], row["value"]),
                      _kpi_interval(row), _number(row["design_effective_sample_size"], 0),
                      _number(row["effective_sample_size"], 0),
                      _kpi_value(row["metric"], row["target"]), _kpi_value(row["metric"], row["stretch"]),
                      _status(row))
    console.print(table)

    population = [row for row in card.root_causes if row["ranking_list"] == "population_estimate"]
    findings = [row for row in card.root_causes if row["ranking_list"] == "targeted_findings"]
    if population:
        causes = Table(title="Error root causes: population estimates (random audits, weighted; 95% intervals)",
                       title_justify="left", header_style="bold")
        for header, justify in (("#", "right"), ("Root cause", "left"), ("Est. errors in population", "right"),
                                ("95% interval", "right"), ("Share", "right"), ("Cumulative", "right"),
                                ("Audited", "right")):
            causes.add_column(header, justify=justify, no_wrap=True)
        for row in population[:8]:
            marker = "" if row["is_vital_few"] else "[dim]"
            causes.add_row(str(row["pareto_rank"]), f"{marker}{row['root_cause_code']}",
                           _number(row["estimated_errors"], 0),
                           f"{_number(row['estimated_errors_lower'], 0)}–{_number(row['estimated_errors_upper'], 0)}",
                           _rate(row["error_share"]), _rate(row["cumulative_error_share"]), f"{row['errors']:,}")
        console.print(causes)
    else:
        console.print("No randomly audited errors this month (no population estimate).")
    if findings:
        console.print("Targeted findings (targeted, appeal and escalation audits — where QA looked, not how common): "
                      + ", ".join(f"{row['root_cause_code']} {row['errors']:,}" for row in findings[:8]))

    flagged = [p for p in card.control_points if p["is_out_of_control"]]
    console.print(f"Control charts (Bernoulli CUSUM against the frozen baseline; error rate, FPR, FNR): "
                  f"{len(card.control_points)} chart-days, {len(flagged)} out of control"
                  + (": " + ", ".join(_control_flag(p) for p in flagged[:10]) if flagged else "."))

    if card.appeals:
        a = card.appeals
        console.print(
            f"Appeals: {a['overturned_appeals']:,} of {a['resolved_appeals']:,} resolved overturned "
            f"({_rate(a['appeal_overturn_rate'])} [{_rate(a['appeal_overturn_rate_ci_low'])}–"
            f"{_rate(a['appeal_overturn_rate_ci_high'])}]) vs audited wrong rejections "
            f"{_rate(a['false_discovery_rate'])} [{_rate(a['false_discovery_rate_ci_low'])}–"
            f"{_rate(a['false_discovery_rate_ci_high'])}]"
            + (" — intervals disagree" if a["is_disagreement_with_false_discovery_rate"] else ""))
    if card.calibration_sessions:
        sessions = ", ".join(f"{s['session_id']} (κ {_number(s['fleiss_kappa'], 2)} "
                             f"[{_number(s['fleiss_kappa_ci_lower'], 2)}, {_number(s['fleiss_kappa_ci_upper'], 2)}], "
                             f"AC1 {_number(s['gwet_ac1'], 2)})"
                             + (" latest" if s["is_latest_session_for_vendor"] else "")
                             for s in card.calibration_sessions)
        console.print(f"Calibration sessions: {sessions}")


def _control_flag(point: dict) -> str:
    return f"{point['decision_date']:%m-%d} {point['metric'].replace('_', ' ')} (S = {point['cusum_statistic']:.1f})"


@click.command()
@click.option("--vendor", "vendor_id", required=True, help="Vendor id (e.g. acme).")
@click.option("--month", required=True, help="Month as YYYY-MM.")
@click.option("--warehouse", type=click.Path(path_type=Path), default=DEFAULT_WAREHOUSE, show_default=True)
def scorecard(vendor_id: str, month: str, warehouse: Path) -> None:
    """Print a vendor's monthly scorecard: KPIs against targets, root causes, control chart, appeals."""
    render_scorecard(read_scorecard(warehouse, vendor_id, parse_month(month)), _console())


# -------------------------------------------------------------------------------------- calibration --


@dataclass
class CalibrationView:
    session: dict
    raters: list[dict]
    pairs: list[dict]


def read_calibration(warehouse: Path | str, session_id: str) -> CalibrationView:
    database = published_database(warehouse)
    sessions = _query(database, "select * from marts.agg_calibration_sessions where session_id = ?", [session_id])
    if not sessions:
        known = [r["session_id"] for r in _query(
            database, "select session_id from marts.agg_calibration_sessions order by session_date desc, 1")]
        close = get_close_matches(session_id, known, n=3)
        hint = f"did you mean {', '.join(close)}?" if close else f"recent sessions: {', '.join(known[:5]) or 'none'}"
        raise UsageError(f"unknown calibration session {session_id!r}; {hint}")
    raters = _query(database, """
        select * from marts.agg_calibration_raters where session_id = ?
        order by verdict_accuracy desc nulls last, rater_id""", [session_id])
    pairs = _query(database, """
        select * from marts.agg_calibration_rater_pairs where session_id = ?
        order by involves_expert desc, rater_id, other_rater_id""", [session_id])
    return CalibrationView(sessions[0], raters, pairs)


def render_calibration(view: CalibrationView, console: Console) -> None:
    s = view.session
    console.print(f"[bold]Calibration session {s['session_id']}[/bold] on {s['session_date']} — "
                  f"vendor {s['vendor_id'] or 'mixed'}, {s['raters']} raters + "
                  f"{'an expert' if s['has_expert'] else 'no expert'}, {s['items']} items")
    summary = Table(title="Agreement among the raters (expert excluded; 95% item-bootstrap intervals)",
                    title_justify="left", header_style="bold")
    for header in ("Scale", "Percent agreement", "Fleiss' κ", "Krippendorff's α (nominal)", "PABAK", "Gwet's AC1"):
        summary.add_column(header, justify="left" if header == "Scale" else "right")
    summary.add_row("verdict", _rate(s["percent_agreement"]),
                    _with_bounds(s["fleiss_kappa"], s["fleiss_kappa_ci_lower"], s["fleiss_kappa_ci_upper"]),
                    _with_bounds(s["krippendorff_alpha"], s["krippendorff_alpha_ci_lower"],
                                 s["krippendorff_alpha_ci_upper"]),
                    _number(s["prevalence_adjusted_kappa"], 3), _number(s["gwet_ac1"], 3))
    summary.add_row("full label", _rate(s["label_percent_agreement"]),
                    _with_bounds(s["label_fleiss_kappa"], s["label_fleiss_kappa_ci_lower"],
                                 s["label_fleiss_kappa_ci_upper"]),
                    _with_bounds(s["label_krippendorff_alpha"], s["label_krippendorff_alpha_ci_lower"],
                                 s["label_krippendorff_alpha_ci_upper"]), "—", "—")
    console.print(summary)
    console.print("PABAK and AC1 stay meaningful when one verdict dominates, where κ can sit near 0 at high "
                  "agreement (the prevalence paradox).", style="dim")
    if s["has_expert"]:
        console.print(f"Panel accuracy against the expert: verdict {_rate(s['expert_verdict_accuracy'])} "
                      f"[{_rate(s['expert_verdict_accuracy_ci_low'])}–{_rate(s['expert_verdict_accuracy_ci_high'])}] "
                      f"(clustered by item), full label {_rate(s['expert_label_accuracy'])}")
    raters = Table(title="Raters against the expert", title_justify="left", header_style="bold")
    for header in ("Rater", "Vendor", "Scored", "Verdict accuracy", "Label accuracy",
                   "Too strict (FP)", "Too lenient (FN)"):
        raters.add_column(header, justify="left" if header in ("Rater", "Vendor") else "right", no_wrap=True)
    for r in view.raters:
        raters.add_row(r["rater_id"], r["rater_vendor_id"] or "—", str(r["items_scored"]),
                       f"{_rate(r['verdict_accuracy'])} [{_rate(r['verdict_accuracy_ci_low'])}–"
                       f"{_rate(r['verdict_accuracy_ci_high'])}]",
                       _rate(r["label_accuracy"]), f"{r['false_positives']}/{r['expert_approves']}",
                       f"{r['false_negatives']}/{r['expert_rejects']}")
    console.print(raters)
    pairs = Table(title="Rater pairs", title_justify="left", header_style="bold")
    for header in ("Rater", "Other rater", "Items", "Agreement", "Cohen's κ", "Label κ"):
        pairs.add_column(header, justify="left" if "Rater" in header or "rater" in header else "right")
    for p in view.pairs:
        other = p["other_rater_id"] + (" (expert pair)" if p["involves_expert"] else "")
        pairs.add_row(p["rater_id"], other, str(p["common_items"]), _rate(p["percent_agreement"]),
                      _number(p["cohens_kappa"], 3), _number(p["label_cohens_kappa"], 3))
    console.print(pairs)


def _with_bounds(value, low, high) -> str:
    if value is None:
        return "—"
    if low is None:
        return _number(value, 3)
    return f"{value:.3f} [{low:.2f}, {high:.2f}]"


@click.command()
@click.option("--session", "session_id", required=True, help="Calibration session id (e.g. cal-acme-20261003).")
@click.option("--warehouse", type=click.Path(path_type=Path), default=DEFAULT_WAREHOUSE, show_default=True)
def calibration(session_id: str, warehouse: Path) -> None:
    """Print a calibration session: agreement (Fleiss' κ, Krippendorff's α), raters and rater pairs."""
    render_calibration(read_calibration(warehouse, session_id), _console())


# ----------------------------------------------------------------------------------------- coaching --


def read_coaching(warehouse: Path | str, month: date, vendor_id: str | None = None) -> list[dict]:
    """The month's coaching list (agg_moderator_accuracy_monthly), most likely below target first."""
    database = published_database(warehouse)
    months = [r["month_start_date"] for r in _query(
        database, "select distinct month_start_date from marts.agg_moderator_accuracy_monthly order by 1")]
    if month not in months:
        available = ", ".join(m.strftime("%Y-%m") for m in months) or "none yet"
        raise UsageError(f"no moderator data for {month:%Y-%m} in {database}; months available: {available}")
    return _query(database, """
        select * from marts.agg_moderator_accuracy_monthly
        where month_start_date = ? and is_on_coaching_list and (? is null or vendor_id = ?)
        order by coaching_rank""", [month, vendor_id, vendor_id])


def render_coaching(rows: list[dict], month: date, console: Console) -> None:
    if not rows:
        console.print(f"Nobody is on the coaching list for {month:%Y-%m}.")
        return
    table = Table(title=f"Coaching list {month:%Y-%m}: moderators most likely below their accuracy target "
                        "(empirical-Bayes, shrunk toward their vendor)", title_justify="left", header_style="bold")
    for header in ("#", "Moderator", "Vendor", "Audited", "Raw accuracy", "Shrunk accuracy", "Target",
                   "P(below target)"):
        table.add_column(header, justify="left" if header in ("Moderator", "Vendor") else "right", no_wrap=True)
    for row in rows:
        table.add_row(str(row["coaching_rank"]), row["moderator_id"], row["vendor_id"], f"{row['in_sample']:,}",
                      f"{_rate(row['accuracy'])} [{_rate(row['accuracy_ci_low'])}–{_rate(row['accuracy_ci_high'])}]",
                      _rate(row["shrunk_accuracy"]), f"{_rate(row['target'])} ({row['target_source']})",
                      f"{row['probability_below_target']:.2f}")
    console.print(table)
    console.print("Ordered by the posterior probability of being below target, not by raw rates: a moderator "
                  "with few audits is pulled toward the vendor's accuracy.", style="dim")


@click.command()
@click.option("--month", required=True, help="Month as YYYY-MM.")
@click.option("--vendor", "vendor_id", default=None, help="Only this vendor's moderators.")
@click.option("--warehouse", type=click.Path(path_type=Path), default=DEFAULT_WAREHOUSE, show_default=True)
def coaching(month: str, vendor_id: str | None, warehouse: Path) -> None:
    """Print the month's coaching list: moderators ordered by the probability of being below target."""
    parsed = parse_month(month)
    render_coaching(read_coaching(warehouse, parsed, vendor_id), parsed, _console())


def register(group: click.Group) -> None:
    """Add the `sample`, `scorecard`, `calibration` and `coaching` commands to a click group (the modqa CLI)."""
    for command in (sample, scorecard, calibration, coaching):
        group.add_command(command)
