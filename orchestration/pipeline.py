"""Run the pipeline: `run_pipeline` executes the Dagster job in-process (the command line and the
scheduler run the same graph) with DAGSTER_HOME under the warehouse, and turns a failed run back into
the one readable error the command line prints. Above the Dagster definitions, which sit above the
step functions (orchestration/steps.py): imports go one way."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rich.console import Console

from expectations.suites import GateSettings
from orchestration.console import show_progress
from orchestration.dagster_defs.loading import dagster_home, load_definitions
from orchestration.dbt_runner import require_engine
from orchestration.errors import BuildError, GateError, ModqaError, UsageError, out_of_space
from orchestration.project import layout
from orchestration.run_lock import warehouse_lock

JOB = "modqa_pipeline"
ERRORS = {cls.__name__: cls for cls in (UsageError, BuildError, GateError, ModqaError)}


@dataclass
class RunReport:
    target: str
    published: Path | None  # DuckDB target: the published file
    marts_location: Path  # the published file, or the Spark target's Parquet tables
    warnings: list[str] = field(default_factory=list)  # gate warnings (published anyway)

    @property
    def summary_source(self) -> Path:
        return self.published if self.published else self.marts_location / "agg_quality_summary"


def logger_config(warehouse: Path, debug: bool) -> dict:
    """Dagster's log of the run goes to its file under <warehouse>/logs; on the console only with
    --debug (the assets print the tidy progress lines)."""
    return {"loggers": {"console": {"config": {"log_level": "DEBUG" if debug else "CRITICAL"}},
                        "run_log": {"config": {"warehouse": str(layout(warehouse).root)}}}}


def partition_arguments(job, start: date | None, end: date | None) -> dict:
    from orchestration.dagster_defs.partitions import INGEST_ALL_TAG, daily_partitions

    keys = daily_partitions.get_partition_keys()
    if start is None and end is None:  # every pending file; the run is filed under the last full day
        return {"partition_key": keys[-1], "tags": {INGEST_ALL_TAG: "true"}}
    first, last = (start or end).isoformat(), (end or start).isoformat()
    if first > last:
        raise UsageError(f"--start {first} is after --end {last}")
    missing = [d for d in (first, last) if d not in set(keys)]
    if missing:
        raise UsageError(f"no partition for {', '.join(missing)}: partitions run from {keys[0]} to {keys[-1]} "
                         "(a day's partition exists once the day is over)")
    if first == last:
        return {"partition_key": first}
    return {"tags": {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}}


def recover_interrupted_runs(instance) -> list[str]:
    """Runs this instance still records as in progress cannot be alive: the caller holds the warehouse
    lock. A killed run (kill -9) never released its `duckdb_writer` pool slot, and the next run would
    wait for it forever; mark such runs failed and free their slots."""
    from dagster import DagsterRunStatus, RunsFilter

    stale = instance.get_runs(filters=RunsFilter(statuses=[DagsterRunStatus.STARTED, DagsterRunStatus.STARTING,
                                                           DagsterRunStatus.CANCELING]))
    for run in stale:
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        instance.report_run_failed(run, "interrupted (the process ended without finishing the run)")
    for run_id in instance.event_log_storage.get_concurrency_run_ids():  # slots of runs already finished
        record = instance.get_run_by_id(run_id)
        if record is None or record.is_finished:
            instance.event_log_storage.free_concurrency_slots_for_run(run_id)
    return [run.run_id for run in stale]


def _user_error(error) -> ModqaError | None:
    """Find our own exception in a Dagster step failure (it is wrapped by Dagster's)."""
    while error is not None:
        name = error.cls_name or ""
        if name in ERRORS:
            message = error.message.split(": ", 1)[1] if ": " in error.message else error.message
            return ERRORS[name](message.strip())
        error = error.cause
    return None


def failure_of(result, warehouse: Path) -> ModqaError:
    """The one error a failed run ends in: the gate's blocking expectations, else the failed step's own
    error (a dbt data test that failed is told by the dbt step, with its offending row)."""
    from orchestration.dagster_defs.checks import GX_CHECK

    blocking = [e for e in result.get_asset_check_evaluations()
                if e.check_name == GX_CHECK and not e.passed and e.severity.value == "ERROR"]
    if blocking:
        lines = [line for e in blocking for line in e.metadata["blocking_failures"].value]
        docs = blocking[0].metadata["data_docs"].value
        message = [f"validation failed: {len(lines)} blocking expectation(s); nothing was published."]
        message += [f"  {line}" for line in lines[:15]]
        build = layout(warehouse).build_database
        message.append(f"The build is kept for inspection at {build}; Data Docs: {docs}")
        return GateError("\n".join(message))
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            return _user_error(error) or ModqaError(
                f"step {event.step_key} failed: {error.message.strip().splitlines()[0]}")
    return ModqaError("the pipeline run failed; see the Dagster run in `modqa ui` for details")


def execute(landing: Path, warehouse: Path, console: Console, target: str, settings: GateSettings,
            start: date | None = None, end: date | None = None, full_refresh: bool = False,
            debug: bool = False) -> RunReport:
    if not landing.is_dir():
        raise UsageError(f"landing folder {landing.resolve()} does not exist; create it or pass --landing")
    require_engine(target)
    lay = layout(warehouse)
    try:
        return _execute(landing, warehouse, console, target, settings, start, end, full_refresh, debug)
    except ModqaError as error:
        raise out_of_space(lay.root, str(error)) or error from None
    except Exception as error:  # SQLite's "disk I/O error" from Dagster's own storage, an OSError, ...
        full = out_of_space(lay.root, f"{type(error).__name__}: {error}")
        if full:
            raise full from error
        raise


def _execute(landing: Path, warehouse: Path, console: Console, target: str, settings: GateSettings,
             start: date | None, end: date | None, full_refresh: bool, debug: bool) -> RunReport:
    defs = load_definitions(warehouse)
    from dagster import DagsterInstance

    from orchestration.dagster_defs.checks import GX_CHECK

    job = defs.resolve_job_def(JOB)
    root = str(layout(warehouse).root)
    run_config = logger_config(warehouse, debug) | {"resources": {
        "warehouse": {"config": {"landing": str(landing.resolve()), "warehouse": root, "target": target,
                                 "freshness_hours": settings.freshness_hours, "full_refresh": full_refresh}},
        "published": {"config": {"warehouse": root}}}}
    show_progress(console)
    console.print("[bold]ingest landing files[/bold] …")
    try:
        with DagsterInstance.from_config(str(dagster_home(warehouse))) as instance:
            recovered = recover_interrupted_runs(instance)
            if recovered:
                console.print(f"[dim]recovered {len(recovered)} interrupted run(s) of this warehouse[/dim]")
            with dagster_stderr_kept(debug) as kept:
                result = job.execute_in_process(instance=instance, run_config=run_config, raise_on_error=False,
                                                **partition_arguments(job, start, end))
            keep_in_run_log(layout(warehouse).run_log(result.run_id), kept.getvalue())
            if not result.success:
                error = failure_of(result, warehouse)
                error.args = (f"{error}\nDagster's log of this run: {layout(warehouse).run_log(result.run_id)}",)
                raise error
            warnings = [line for e in result.get_asset_check_evaluations()
                        if e.check_name == GX_CHECK and not e.passed
                        for line in e.metadata["warnings"].value] if target == "duckdb" else []
    finally:
        show_progress(None)
    lay = layout(warehouse)
    if target == "duckdb":
        return RunReport(target, lay.published_database, lay.published_database, warnings)
    return RunReport(target, None, lay.spark_warehouse / "marts.db", warnings)


@contextmanager
def dagster_stderr_kept(debug: bool) -> Iterator[io.StringIO]:
    """Dagster writes some failures of its own (an event it could not store, e.g. on a full disk) straight
    to stderr, traceback and all. Without --debug they are kept (for the run log) and the person sees the
    one readable error the run ends in."""
    kept = io.StringIO()
    if debug:
        yield kept
        return
    with contextlib.redirect_stderr(kept):
        yield kept


def keep_in_run_log(run_log: Path, text: str) -> None:
    """Best effort: the disk that made Dagster complain may have no room for its complaint either."""
    if text:
        with contextlib.suppress(OSError), open(run_log, "a", encoding="utf-8") as handle:
            handle.write(text)


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
    with warehouse_lock(warehouse, "modqa run"):
        return execute(Path(landing), Path(warehouse), console, target, settings or GateSettings(), start, end,
                       full_refresh, debug)
