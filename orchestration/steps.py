"""The pipeline's steps as plain functions, each printing its progress lines: ingest a landing table,
validate the build, publish it. No Dagster here: the Dagster assets (orchestration/dagster_defs/) call
these, and the runner (orchestration/pipeline.py) runs the Dagster job."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from expectations.gate import GateResult, validate
from expectations.suites import GateSettings
from orchestration.console import progress, step
from orchestration.ingest.loader import TableIngest, ingest
from orchestration.project import layout
from orchestration.publish import PublishResult, publish


def describe_table_ingest(report: TableIngest) -> str:
    parts = [f"{report.table:<19}", f"{report.files_new:>4} new files"]
    if report.files_skipped:
        parts.append(f"{report.files_skipped} already loaded")
    parts += [f"{report.rows_loaded:>10,} rows loaded", f"{report.rows_quarantined:,} quarantined"]
    if report.rows_duplicate:
        parts.append(f"({report.rows_duplicate:,} identical re-deliveries)")
    return "  ".join(parts) + f"  [dim]{report.seconds:.1f} s[/dim]"


def ingest_table(landing: Path, warehouse: Path, table: str, dates: tuple[date, date] | None) -> TableIngest:
    """Ingest one landing table's new files (of the given data dates) and print what happened."""
    (report,) = ingest(landing, warehouse, tables=(table,), dates=dates).tables
    progress(f"ingest {describe_table_ingest(report)}")
    for path, message in report.rejected_files:
        progress(f"[yellow]rejected[/yellow] {path}: {message}")
    for path, message in report.duplicate_files + report.skipped_files:
        progress(f"[dim]skipped {path}: {message}[/dim]")
    for example in report.examples[:3]:
        where = f"{example.file} line {example.line}" + (f", column {example.column}" if example.column else "")
        progress(f"[yellow]quarantined[/yellow] {where}: {example.reason}")
    if report.rows_quarantined:
        progress(f"{report.rows_quarantined:,} {report.table} rows quarantined: see monitoring.dq_quarantined_rows")
    return report


def validate_build(warehouse: Path, settings: GateSettings | None) -> GateResult:
    """Run the Great Expectations gate on the build database and print one line per suite."""
    lay = layout(warehouse)
    with step("validate build (Great Expectations)") as outcome:
        result = validate(lay.build_database, lay.gx_dir, settings)
        for suite in result.suites:
            progress(suite.summary())
        for warning in result.warnings:
            progress(f"[yellow]warning[/yellow] {warning.line}")
        outcome["detail"] = (f"{len(result.suites)} suites, {len(result.outcomes)} expectations: "
                             f"{len(result.blocking_failures)} blocking failures, {len(result.warnings)} warnings; "
                             f"Data Docs {result.docs_index}")
    return result


def publish_build(warehouse: Path) -> PublishResult:
    with step("publish") as outcome:
        result = publish(warehouse)
        days = (f"; fact days: {result.days_written} written, {result.days_linked} unchanged"
                if result.days_written or result.days_linked else "")
        outcome["detail"] = f"{result.tables} tables → {result.path} (+ parquet/, docs/){days}"
    return result
