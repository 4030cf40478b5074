"""`modqa coach --moderator M [--month YYYY-MM]`: one moderator's feedback for a 1:1, read aloud.

`read_coach` gathers plain data from the published marts (agg_moderator_accuracy_monthly,
agg_training_needs, fct_qa_audits, fct_trainings, dim_moderator); `render_coach` prints it. Nothing is
computed here that a mart does not already publish: the CLI only selects and orders.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from difflib import get_close_matches
from pathlib import Path

import click
from rich.console import Console

from orchestration.errors import UsageError
from orchestration.project import DEFAULT_WAREHOUSE, project_vars
from orchestration.sampling import published_database, query_published

POLICIES_SHOWN = 3
EXAMPLES_PER_POLICY = 5
LOOKBACK_DAYS = int(project_vars()["training_needs_lookback_days"])  # agg_training_needs' window


@dataclass
class CoachReport:
    moderator: dict
    month: date
    accuracy: dict | None
    policies: list[dict] = field(default_factory=list)
    examples: dict[str, list[dict]] = field(default_factory=dict)
    disputes: dict[str, int] = field(default_factory=dict)
    trainings: list[dict] = field(default_factory=list)
    recommended: list[dict] = field(default_factory=list)


def _rows(database: Path, sql: str, parameters: list | None = None) -> list[dict]:
    import duckdb

    con = duckdb.connect(str(database), read_only=True)
    try:
        cursor = con.execute(sql, parameters or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def _moderator(database: Path, moderator_id: str) -> dict:
    rows = _rows(database, """
        select moderator_id, vendor_id, site, team, hired_on from marts.dim_moderator
        where moderator_id = ? and role = 'moderator' order by valid_from desc limit 1""", [moderator_id])
    if rows:
        return rows[0]
    known = [r[0] for r in query_published(
        database, "select distinct moderator_id from marts.dim_moderator where role = 'moderator'")]
    close = get_close_matches(moderator_id, known, n=3)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    raise UsageError(f"unknown moderator {moderator_id!r} in {database}.{hint} "
                     f"({len(known)} moderators on the roster; ids look like {min(known, default='p00001')!r})")


def read_coach(warehouse: Path | str, moderator_id: str, month: date | None = None) -> CoachReport:
    database = published_database(warehouse)
    query_published(database, "select 1 from marts.agg_training_needs limit 0")  # an older publication: clear error
    moderator = _moderator(database, moderator_id)
    months = [r[0] for r in query_published(database, """
        select distinct month_start_date from marts.agg_moderator_accuracy_monthly
        where moderator_id = ? order by 1""", [moderator_id])]
    if not months:
        raise UsageError(f"moderator {moderator_id!r} has no audited decisions in {database} yet: nothing to coach on")
    if month is None:
        month = months[-1]
    elif month not in months:
        available = ", ".join(m.strftime("%Y-%m") for m in months)
        raise UsageError(f"moderator {moderator_id!r} has no audited decisions in {month:%Y-%m}; "
                         f"months with audits: {available}")
    report = CoachReport(moderator, month, None)
    accuracy = _rows(database, """
        select * from marts.agg_moderator_accuracy_monthly
        where moderator_id = ? and month_start_date = ? order by in_sample desc limit 1""", [moderator_id, month])
    report.accuracy = accuracy[0] if accuracy else None
    report.policies = _rows(database, f"""
        select * from marts.agg_training_needs
        where moderator_id = ? and errors > 0
        order by weighted_errors desc, probability_worse_than_target desc, policy_code
        limit {POLICIES_SHOWN}""", [moderator_id])
    for policy in report.policies:
        report.examples[policy["policy_code"]] = _rows(database, f"""
            select decision_id, decided_at, audit_type, moderator_verdict, moderator_policy_code, qa_verdict,
                   qa_policy_code, finding_type, error_root_cause, error_severity, dispute_outcome
            from marts.fct_qa_audits
            where moderator_id = ? and is_finding
              and coalesce(qa_policy_code, moderator_policy_code) = ?
              and decision_date >= ? and decision_date < ? + interval 1 month
            order by (audit_type = 'random') desc, decided_at desc, audit_id
            limit {EXAMPLES_PER_POLICY}""", [moderator_id, policy["policy_code"], month, month])
    disputes = _rows(database, """
        select dispute_outcome, count(*) as audits from marts.fct_qa_audits
        where moderator_id = ? and dispute_outcome is not null
          and decision_date >= ? and decision_date < ? + interval 1 month
        group by dispute_outcome""", [moderator_id, month, month])
    report.disputes = {row["dispute_outcome"]: row["audits"] for row in disputes}
    report.trainings = _rows(database, """
        select course_id, course_name, course_type, started_date, completed_date, assessment_score, passed
        from marts.fct_trainings where person_id = ? order by started_at""", [moderator_id])
    report.recommended = _rows(database, """
        select policy_code, recommended_course_id, has_taken_recommended_course, probability_worse_than_target,
               shrunk_error_rate, peer_error_rate, in_sample
        from marts.agg_training_needs
        where moderator_id = ? and is_training_recommended
        order by need_rank""", [moderator_id])
    return report


def _pct(value) -> str:
    return "—" if value is None else f"{value:.1%}"


def _verdict(verdict: str | None, policy: str | None) -> str:
    return "approve" if verdict == "approve" else f"reject ({policy})"


def render_coach(report: CoachReport, console: Console) -> None:
    m = report.moderator
    console.print(f"[bold]Coaching notes for {m['moderator_id']}[/bold] ({m['vendor_id']}, {m['site']} "
                  f"team {m['team']}, hired {m['hired_on']}) — {report.month:%B %Y}")
    console.print()
    a = report.accuracy
    console.print("[bold]1. Accuracy[/bold]")
    if a is None:
        console.print("   No audited decisions this month.")
    else:
        verdict = ("probably below target" if a["is_on_coaching_list"]
                   else "not shown to be below target")
        console.print(f"   {a['correct']} of {a['in_sample']} randomly audited decisions were right: "
                      f"{_pct(a['accuracy'])} (95 % interval "
                      f"{_pct(a['accuracy_ci_low'])}–{_pct(a['accuracy_ci_high'])}).")
        probability = a["probability_below_target"]
        console.print(f"   Target {_pct(a['target'])} ({a['target_source']}). Allowing for the small sample "
                      f"(shrunk toward the vendor): {_pct(a['shrunk_accuracy'])}, "
                      f"chance of being below target {'—' if probability is None else f'{probability:.0%}'}: "
                      f"{verdict}.")
    console.print()
    console.print(f"[bold]2. Where the errors are[/bold] (audits of the last {LOOKBACK_DAYS} days, policies ranked "
                  "by the wrong decisions they stand for in the population)")
    if not report.policies:
        console.print("   No errors found in the audited sample. Keep it up.")
    for rank, p in enumerate(report.policies, 1):
        probability = p["probability_worse_than_target"]
        console.print(f"   {rank}. {p['policy_code']}: {p['errors']} of {p['in_sample']} audited decisions wrong "
                      f"({_pct(p['error_rate'])}); peers {_pct(p['peer_error_rate'])}; shrunk "
                      f"{_pct(p['shrunk_error_rate'])}; chance worse than peers "
                      f"{'—' if probability is None else f'{probability:.0%}'}.")
        for e in report.examples.get(p["policy_code"], []):
            dispute = f", dispute {e['dispute_outcome']}" if e["dispute_outcome"] else ""
            cause = e["error_root_cause"] or "no root cause recorded"
            console.print(f"      - {e['decision_id']} ({e['decided_at']:%Y-%m-%d}, {e['audit_type']} audit): you "
                          f"{_verdict(e['moderator_verdict'], e['moderator_policy_code'])}, QA "
                          f"{_verdict(e['qa_verdict'], e['qa_policy_code'])} - {e['finding_type']}, {cause}"
                          f"{', ' + e['error_severity'] if e['error_severity'] else ''}{dispute}")
        if not report.examples.get(p["policy_code"]):
            console.print(f"      (no findings on this policy in {report.month:%B})")
    console.print()
    won, lost, pending = (report.disputes.get(k, 0) for k in ("upheld", "rejected", "pending"))
    console.print("[bold]3. Disputes[/bold]")
    console.print(f"   {won} won (QA finding overturned), {lost} lost, {pending} pending this month.")
    console.print()
    console.print("[bold]4. Training[/bold]")
    if not report.trainings:
        console.print("   No trainings on record.")
    for t in report.trainings:
        done = f"completed {t['completed_date']}" if t["completed_date"] else "in progress"
        score = "" if t["assessment_score"] is None else (
            f", assessment {t['assessment_score']:.0%} ({'passed' if t['passed'] else 'not passed'})")
        console.print(f"   - {t['course_name']} ({t['course_type']}), started {t['started_date']}, {done}{score}")
    if report.recommended:
        console.print("   Recommended next:")
        for r in report.recommended:
            taken = " - already taken: review the examples above instead" if r["has_taken_recommended_course"] else ""
            console.print(f"   - {r['recommended_course_id']} for {r['policy_code']} "
                          f"(chance worse than peers {r['probability_worse_than_target']:.0%}){taken}")
    else:
        console.print("   No course recommended: no policy where errors are likely above peers'.")


@click.command()
@click.option("--moderator", "moderator_id", required=True, help="Moderator id (roster person_id, e.g. p00017).")
@click.option("--month", default=None, help="Month as YYYY-MM (default: the moderator's latest audited month).")
@click.option("--warehouse", type=click.Path(path_type=Path), default=DEFAULT_WAREHOUSE, show_default=True)
def coach(moderator_id: str, month: str | None, warehouse: Path) -> None:
    """Print one moderator's coaching notes: accuracy vs target, error policies with examples, disputes, training."""
    from orchestration.views import parse_month

    parsed = parse_month(month) if month else None
    render_coach(read_coach(warehouse, moderator_id, parsed),
                 Console(highlight=False, width=None if sys.stdout.isatty() else 160))
