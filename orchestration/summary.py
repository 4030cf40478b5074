"""The KPI summary printed after a run, read from the published warehouse (read-only)."""

from __future__ import annotations

from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

SUMMARY_SQL = """
    select * from {relation}
    order by case scope_type when 'global' then 0 when 'vendor' then 1 else 2 end, scope_value
"""


def read_summary(database: Path) -> list[dict]:
    """From a published DuckDB file, or from a folder of Parquet files (the Spark target's table)."""
    database = Path(database)
    if database.is_dir():
        con, relation = duckdb.connect(), f"read_parquet('{database}/*.parquet')"
    else:
        con, relation = duckdb.connect(str(database), read_only=True), "marts.agg_quality_summary"
    try:
        cursor = con.execute(SUMMARY_SQL.format(relation=relation))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def rate_with_interval(rate, low, high) -> str:
    if rate is None:
        return "—"
    return f"{rate:.1%} [{low:.1%}–{high:.1%}]"


def plain_rate(rate) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def count(value) -> str:
    return "—" if value is None else f"{value:,}"


def render_summary(rows: list[dict], console: Console) -> None:
    """Population (weighted) rates are the headline, each with its design-based 95 % interval; the
    audited sample's unweighted accuracy is labelled as such; provisional scopes are marked."""
    if not rows:
        console.print("No decisions in the warehouse yet.")
        return
    first = rows[0]
    title = (f"KPI summary {first['first_decision_date']} → {first['last_decision_date']}: population estimates "
             "(weighted) with 95% design-based intervals")
    table = Table(title=title, title_justify="left", header_style="bold")
    for header, justify in [("Scope", "left"), ("Decisions", "right"), ("In sample", "right"),
                            ("Accuracy", "right"), ("False-positive rate", "right"),
                            ("False-negative rate", "right"), ("Sample accuracy", "right"),
                            ("SLA met", "right"), ("Backlog", "right")]:
        table.add_column(header, justify=justify, no_wrap=True)
    previous_scope = None
    for row in rows:
        if previous_scope is not None and row["scope_type"] != previous_scope:
            table.add_section()
        previous_scope = row["scope_type"]
        label = "all" if row["scope_type"] == "global" else f"{row['scope_type']} {row['scope_value']}"
        if row.get("is_provisional"):
            label += " *"
        table.add_row(
            label, count(row["decisions"]), count(row["in_sample"]),
            rate_with_interval(row["weighted_accuracy"], row["weighted_accuracy_ci_low"],
                               row["weighted_accuracy_ci_high"]),
            rate_with_interval(row["weighted_false_positive_rate"], row["weighted_false_positive_rate_ci_low"],
                               row["weighted_false_positive_rate_ci_high"]),
            rate_with_interval(row["weighted_false_negative_rate"], row["weighted_false_negative_rate_ci_low"],
                               row["weighted_false_negative_rate_ci_high"]),
            plain_rate(row["accuracy"]),
            plain_rate(row["sla_attainment"]),
            count(row["backlog_items"]) if row["scope_type"] != "vendor" else "n/a",
        )
    console.print(table)
    console.print("Rates are population estimates (sampling weights undo stratified audit rates); the sample "
                  "accuracy is the audited decisions' own, unweighted.", style="dim")
    provisional = first.get("provisional_days") or 0
    if any(row.get("is_provisional") for row in rows):
        console.print(f"* provisional: {provisional} of the latest days are not mature yet (audits still "
                      "arriving); these figures may change.", style="dim")
    console.print("Backlog is end of the last day, per queue (undecided items have no vendor yet).",
                  style="dim")
