"""The pipeline's steps as plain functions (the Dagster assets call them) and `run_pipeline`, which
runs the Dagster job in-process: the command line and the scheduler run the same graph."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rich.console import Console

from expectations.gate import GateResult, validate
from expectations.suites import GateSettings
from orchestration.console import progress, step
from orchestration.ingest.loader import TableIngest, ingest
from orchestration.project import layout
from orchestration.publish import PublishResult, publish
from orchestration.run_lock import warehouse_lock


@dataclass
class RunReport:
    target: str
    published: Path | None  # DuckDB target: the published file
    marts_location: Path  # the published file, or the Spark target's Parquet tables
    warnings: list[str] = field(default_factory=list)  # gate warnings (published anyway)

    @property
    def summary_source(self) -> Path:
        return self.published if self.published else self.marts_location / "agg_quality_summary"


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
        outcome["detail"] = f"{result.tables} tables → {result.path} and {result.parquet}/<model>/"
    return result


def run_pipeline(landing: Path, warehouse: Path, console: Console, target: str = "duckdb",
                 settings: GateSettings | None = None, start: date | None = None,
                 end: date | None = None, full_refresh: bool = False, debug: bool = False) -> RunReport:
    """Ingest → dbt build → validate → publish (write-audit-publish), as the Dagster job, in-process.

    Without dates every pending landing file is ingested; with start/end, the files of that date
    range (a backfill), and the incremental models also rebuild from start on. Incremental models
    otherwise rebuild the days that new data touches; `full_refresh` rebuilds them whole. On the
    `spark` target dbt writes the marts as Parquet tables under <warehouse>/spark/warehouse/marts.db
    and the DuckDB gate and publish do not apply. `debug` shows Dagster's own log on the console too.
    """
    from orchestration.dagster_defs.execution import execute

    with warehouse_lock(warehouse, "modqa run"):
        return execute(Path(landing), Path(warehouse), console, target, settings or GateSettings(), start, end,
                       full_refresh, debug)
