"""What the monthly business review shows, read from the published marts and nothing else.

Every figure on the page is a column of a published mart (through `orchestration.connect`, which opens
the publication of the moment read-only); this module selects rows, it never computes a rate, an
interval or a status. The only arithmetic is SQL `sum` of additive columns (counts, FTE) across queues.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from difflib import get_close_matches
from pathlib import Path

import duckdb

from expectations.gate import PASSED_OUTCOMES
from orchestration.connect import connect
from orchestration.errors import UsageError
from orchestration.project import layout

TREND_MONTHS = 3  # weeks shown in the trend panels: the report's month and the two before it


@dataclass(frozen=True)
class Scope:
    """The whole programme, or one vendor."""

    vendor_id: str | None = None
    vendor_name: str | None = None

    @property
    def label(self) -> str:
        return "Whole programme" if self.vendor_id is None else f"{self.vendor_name} ({self.vendor_id})"


@dataclass
class ReportData:
    month: date
    scope: Scope
    published_at: str
    kpis: list[dict]
    quality_weeks: list[dict]  # agg_quality_weekly, the scope's own rows and (programme) the vendors'
    trend_targets: list[dict]  # this month's accuracy/FPR/FNR targets of the scopes in quality_weeks
    control_points: list[dict]
    sla_weeks: list[dict]
    capacity_days: list[dict]
    capacity_forecast: list[dict]
    root_causes: list[dict]
    appeals: list[dict]
    calibration_sessions: list[dict]
    drifting_raters: list[dict]
    ingest: list[dict]
    quarantine: list[dict]
    orphans: list[dict]
    conflicting_versions: list[dict]
    gate: dict | None = None  # the gate's record of the published build, when there is one
    vendors: dict[str, str] = field(default_factory=dict)

    @property
    def is_provisional(self) -> bool:
        return any(row["is_complete_period"] is False for row in self.kpis)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, parameters: list | None = None) -> list[dict]:
    cursor = con.execute(sql, parameters or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _scope(con: duckdb.DuckDBPyConnection, vendor_id: str | None) -> tuple[Scope, dict[str, str]]:
    vendors = {r["vendor_id"]: r["vendor_name"] for r in _rows(
        con, "select vendor_id, vendor_name from marts.dim_vendor where not is_unknown_member order by vendor_id")}
    if vendor_id is None:
        return Scope(), vendors
    if vendor_id not in vendors:
        close = get_close_matches(vendor_id, list(vendors), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UsageError(f"unknown vendor {vendor_id!r}.{hint} Known vendors: {', '.join(vendors)}")
    return Scope(vendor_id, vendors[vendor_id]), vendors


def _check_month(con: duckdb.DuckDBPyConnection, month: date, where: str) -> None:
    months = [r["month_start_date"] for r in _rows(
        con, "select distinct month_start_date from marts.agg_kpi_attainment_monthly order by 1")]
    if month not in months:
        available = ", ".join(m.strftime("%Y-%m") for m in months) or "none yet"
        raise UsageError(f"no data for {month:%Y-%m} in {where}; months available: {available}")


def read_gate_outcomes(warehouse: Path | str) -> dict | None:
    path = layout(warehouse).gx_dir / PASSED_OUTCOMES
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def read_report_data(warehouse: Path | str, month: date, vendor_id: str | None = None) -> ReportData:
    """Everything the page shows for `month` (its first day) and the programme or one vendor."""
    with connect(warehouse) as con:
        try:
            return _read(con, warehouse, month, vendor_id)
        except duckdb.CatalogException as error:
            raise UsageError(f"the published warehouse at {layout(warehouse).published_database} lacks a mart "
                             f"the report reads ({str(error).splitlines()[0]}); run `modqa run` with this "
                             "version of modqa to publish it") from None


def _read(con: duckdb.DuckDBPyConnection, warehouse: Path | str, month: date, vendor_id: str | None) -> ReportData:
    scope, vendors = _scope(con, vendor_id)
    _check_month(con, month, str(layout(warehouse).published_database))
    # Scope names differ between marts ('global'/'all' for the programme); v is NULL for the programme.
    v = scope.vendor_id
    window = [month, month]  # bound twice: `? <= date and date < ? + interval 1 month`
    trend_start = "? - interval " + str(TREND_MONTHS - 1) + " month"
    published_at = con.execute("select max(last_loaded_at) from monitoring.dq_ingest_report").fetchone()[0]
    return ReportData(
        month=month, scope=scope, vendors=vendors,
        published_at=published_at.strftime("%Y-%m-%d %H:%M UTC") if published_at else "unknown",
        kpis=_rows(con, """
            select * from marts.agg_kpi_attainment_monthly
            where month_start_date = ?
              and ((? is null and scope_type = 'global') or (scope_type = 'vendor' and scope_value = ?))""",
            [month, v, v]),
        quality_weeks=_rows(con, f"""
            select * from marts.agg_quality_weekly
            where week_start_date + interval 6 day >= {trend_start} and week_start_date < ? + interval 1 month
              and (scope_type = 'vendor' and (? is null or scope_value = ?) or (? is null and scope_type = 'global'))
            order by scope_type, scope_value, week_start_date""", [month, month, v, v, v]),
        trend_targets=_rows(con, """
            select scope_value, metric, target from marts.agg_kpi_attainment_monthly
            where month_start_date = ? and metric in ('accuracy', 'false_positive_rate', 'false_negative_rate')
              and (scope_type = 'vendor' and (? is null or scope_value = ?)
                   or (? is null and scope_type = 'global'))""",
            [month, v, v, v]),
        control_points=_rows(con, """
            select * from marts.agg_quality_control_chart
            where chart_scope_type = 'vendor' and (? is null or scope_value = ?)
              and decision_date >= ? and decision_date < ? + interval 1 month
            order by scope_value, metric, decision_date""", [v, v, *window]),
        sla_weeks=_rows(con, f"""
            select * from marts.agg_sla_weekly
            where week_start_date + interval 6 day >= {trend_start} and week_start_date < ? + interval 1 month
            order by queue_id, week_start_date""", [month, month]),
        capacity_days=_rows(con, """
            select date_day, sum(inflow) as inflow, sum(outflow) as outflow,
                   sum(backlog_end_of_day) as backlog_end_of_day, sum(required_fte) as required_fte,
                   sum(rostered_fte) as rostered_fte
            from marts.agg_capacity_daily
            where date_day >= ? and date_day < ? + interval 1 month
            group by date_day order by date_day""", window),
        capacity_forecast=_rows(con, """
            select * from marts.agg_capacity_forecast where scope_type = 'total'
              and origin_date >= ? and origin_date < ? + interval 1 month
            order by forecast_date""", window),
        root_causes=_rows(con, """
            select * from marts.agg_error_root_cause_pareto
            where month_start_date = ? and ranking_list = 'population_estimate'
              and ((? is null and scope_type = 'all') or (scope_type = 'vendor' and scope_value = ?))
            order by pareto_rank""", [month, v, v]),
        appeals=_rows(con, """
            select * from marts.agg_appeal_overturn_vs_audit
            where month_start_date = ?
              and ((? is null and scope_type = 'vendor') or (scope_type = 'vendor' and scope_value = ?)
                   or (? is null and scope_type = 'global'))
            order by scope_type = 'global' desc, scope_value""", [month, v, v, v]),
        calibration_sessions=_rows(con, """
            select * from marts.agg_calibration_sessions
            where session_date >= ? and session_date < ? + interval 1 month and (? is null or vendor_id = ?)
            order by session_date, session_id""", [*window, v, v]),
        drifting_raters=_rows(con, """
            select * from marts.agg_calibration_rater_drift
            where period_type = 'month' and period_start_date = ? and (? is null or rater_vendor_id = ?)
            order by tendency = 'balanced', mcnemar_q_value nulls last, rater_id""", [month, v, v]),
        ingest=_rows(con, "select * from monitoring.dq_ingest_report order by table_name"),
        quarantine=_rows(con, """
            select table_name, reason_code, count(*) as rows_quarantined, min(source_file) as example_file,
                   min(source_line) as example_line
            from monitoring.dq_quarantined_rows group by table_name, reason_code
            order by rows_quarantined desc, table_name, reason_code"""),
        orphans=_rows(con, """
            select table_name, parent_table, count(*) as orphan_rows from monitoring.dq_orphans
            group by table_name, parent_table order by orphan_rows desc, table_name"""),
        conflicting_versions=_rows(con, """
            select table_name, count(*) as keys_with_conflicting_versions,
                   sum(case when is_order_in_doubt then 1 else 0 end) as keys_order_in_doubt
            from monitoring.dq_conflicting_versions group by table_name order by table_name"""),
        gate=read_gate_outcomes(warehouse),
    )
