"""The pipeline: ingest landing files → dbt build → publish. Each step is a plain function that the
command line and the Dagster assets call alike."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from expectations.gate import GateResult, validate
from expectations.suites import GateSettings
from orchestration import dbt_runner
from orchestration.console import StepReporter
from orchestration.errors import GateError, UsageError
from orchestration.ingest.loader import IngestReport, TableIngest, ingest
from orchestration.project import layout
from orchestration.publish import PublishResult, publish


@dataclass
class RunReport:
    ingest: IngestReport
    dbt: dbt_runner.DbtResult
    gate: GateResult | None  # DuckDB target: the Great Expectations validation of the build
    published: PublishResult | None  # DuckDB target: the published file
    marts_location: Path  # where the marts are: the published file, or the Spark target's Parquet

    @property
    def summary_source(self) -> Path:
        if self.published:
            return self.published.path
        return self.marts_location / "agg_quality_summary"


@contextmanager
def warehouse_lock(warehouse: Path) -> Iterator[None]:
    """One pipeline run per warehouse folder at a time (readers are never blocked)."""
    root = layout(warehouse).root
    root.mkdir(parents=True, exist_ok=True)
    handle = open(root / ".modqa.lock", "a+")  # noqa: SIM115 - held for the whole run
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise UsageError(f"the warehouse {root} is being built by {holder}; wait for it to finish") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}")
    handle.flush()
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def describe_table_ingest(report: TableIngest) -> str:
    parts = [f"{report.table:<19}", f"{report.files_new:>4} new files"]
    if report.files_skipped:
        parts.append(f"{report.files_skipped} already loaded")
    parts += [f"{report.rows_loaded:>10,} rows loaded", f"{report.rows_quarantined:,} quarantined"]
    if report.rows_duplicate:
        parts.append(f"({report.rows_duplicate:,} identical re-deliveries)")
    return "  ".join(parts) + f"  [dim]{report.seconds:.1f} s[/dim]"


def run_ingest(landing: Path, warehouse: Path, steps: StepReporter) -> IngestReport:
    with steps.step("ingest landing files") as outcome:
        report = ingest(landing, warehouse, on_table=lambda t: steps.detail(describe_table_ingest(t)))
        for table in report.tables:
            for path, message in table.rejected_files:
                steps.detail(f"[yellow]rejected[/yellow] {path}: {message}")
            for path, message in table.duplicate_files:
                steps.detail(f"[dim]skipped {path}: {message}[/dim]")
            for example in table.examples[:3]:
                where = f"{example.file} line {example.line}" + (f", column {example.column}" if example.column else "")
                steps.detail(f"[yellow]quarantined[/yellow] {where}: {example.reason}")
        for name in report.unknown_paths:
            steps.detail(f"[yellow]ignored[/yellow] {landing / name}: not a landing table folder")
        quarantined = report.rows_quarantined
        outcome["detail"] = (
            f"{report.files_new} new files, {report.rows_loaded:,} rows loaded, {quarantined:,} quarantined"
            + (" (see monitoring.dq_quarantined_rows)" if quarantined else "")
        )
    return report


def run_build(warehouse: Path, steps: StepReporter, target: str = "duckdb", dbt_vars: dict | None = None,
              full_refresh: bool = False) -> dbt_runner.DbtResult:
    with steps.step(f"dbt build ({target})") as outcome:
        with steps.console.status("dbt build starting …") as status:
            done = {"count": 0}

            def on_node(node: dbt_runner.NodeResult) -> None:
                done["count"] += 1
                status.update(f"dbt build: {done['count']} nodes done, last {node.resource_type} {node.name}")

            result = dbt_runner.build(warehouse, target=target, dbt_vars=dbt_vars, on_node=on_node,
                                      full_refresh=full_refresh)
        counts = result.counts()
        models = sum(v for (kind, _), v in counts.items() if kind == "model")
        seeds = sum(v for (kind, _), v in counts.items() if kind == "seed")
        tests = sum(v for (kind, _), v in counts.items() if kind in ("test", "unit_test"))
        warned = len(result.warnings)
        outcome["detail"] = (
            f"{models} models, {seeds} seeds, {tests} tests passed" + (f", {warned} warnings" if warned else "")
        )
        for node in result.warnings:
            steps.detail(f"[yellow]warning[/yellow] {node.name}: {node.message}")
    return result


def run_validate(warehouse: Path, steps: StepReporter, settings: GateSettings | None = None) -> GateResult:
    """The Great Expectations gate on the build database; raises GateError on a blocking failure."""
    lay = layout(warehouse)
    with steps.step("validate build (Great Expectations)") as outcome:
        result = validate(lay.build_database, lay.gx_dir, settings)
        for suite in result.suites:
            steps.detail(suite.summary())
        for warning in result.warnings:
            steps.detail(f"[yellow]warning[/yellow] {warning.line}")
        checks = len(result.outcomes)
        outcome["detail"] = (f"{len(result.suites)} suites, {checks} expectations: "
                             f"{len(result.blocking_failures)} blocking failures, {len(result.warnings)} warnings; "
                             f"Data Docs {result.docs_index}")
    if not result.passed:
        lines = [f"validation failed: {len(result.blocking_failures)} blocking expectation(s); nothing was published."]
        lines += [f"  {failure.line}" for failure in result.blocking_failures[:15]]
        lines.append(f"The build is kept for inspection at {lay.build_database}; Data Docs: {result.docs_index}")
        raise GateError("\n".join(lines))
    return result


def run_publish(warehouse: Path, steps: StepReporter) -> PublishResult:
    with steps.step("publish") as outcome:
        result = publish(warehouse)
        outcome["detail"] = f"{result.tables} tables → {result.path} and {result.parquet}/<model>/"
    return result


def run_pipeline(landing: Path, warehouse: Path, console: Console, target: str = "duckdb",
                 settings: GateSettings | None = None) -> RunReport:
    """Ingest, build, validate, publish (write-audit-publish). On the `spark` target dbt writes the
    marts as Parquet tables under <warehouse>/spark/warehouse/marts.db; the DuckDB gate and publish
    steps do not apply (GX on Spark is a follow-up)."""
    steps = StepReporter(console, total_steps=4 if target == "duckdb" else 2)
    with warehouse_lock(warehouse):
        ingested = run_ingest(landing, warehouse, steps)
        built = run_build(warehouse, steps, target=target)
        if target == "duckdb":
            gate = run_validate(warehouse, steps, settings)
            published = run_publish(warehouse, steps)
            return RunReport(ingested, built, gate, published, published.path)
    marts = layout(warehouse).spark_warehouse / "marts.db"
    return RunReport(ingested, built, None, None, marts)
