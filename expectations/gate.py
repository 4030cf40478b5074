"""Validate a build with Great Expectations before it is published.

All computation is pushed down to DuckDB: each table is a query asset (`select * from schema.table`)
on one read-only SQL data source, every suite runs in one checkpoint, and GX Data Docs are written
under `<warehouse>/gx/data_docs/` on every run.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from expectations.checks import BLOCKING, WARNING, Check
from expectations.gx_duckdb import enable_duckdb, quiet_gx, release
from expectations.suites import GateSettings, suites


@dataclass
class CheckOutcome:
    check: Check
    success: bool
    observed: str = ""

    @property
    def line(self) -> str:
        where = self.check.table + (f".{self.check.columns_named}" if self.check.columns_named else "")
        return f"{where} · {self.check.name}: {self.observed}"


@dataclass
class SuiteOutcome:
    table: str
    outcomes: list[CheckOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[CheckOutcome]:
        return [o for o in self.outcomes if not o.success]

    def summary(self) -> str:
        blocking = sum(1 for o in self.failed if o.check.severity == BLOCKING)
        warned = sum(1 for o in self.failed if o.check.severity == WARNING)
        passed = len(self.outcomes) - len(self.failed)
        state = "FAILED" if blocking else ("passed with warnings" if warned else "passed")
        extra = ", ".join(p for p in (f"{blocking} blocking failed" if blocking else "",
                                      f"{warned} warnings" if warned else "") if p)
        return f"{self.table:<45} {passed}/{len(self.outcomes)} passed  {state}" + (f" ({extra})" if extra else "")


@dataclass
class GateResult:
    suites: list[SuiteOutcome]
    seconds: float
    docs_index: Path | None

    @property
    def outcomes(self) -> list[CheckOutcome]:
        return [o for s in self.suites for o in s.outcomes]

    @property
    def blocking_failures(self) -> list[CheckOutcome]:
        return [o for o in self.outcomes if not o.success and o.check.severity == BLOCKING]

    @property
    def warnings(self) -> list[CheckOutcome]:
        return [o for o in self.outcomes if not o.success and o.check.severity == WARNING]

    @property
    def passed(self) -> bool:
        return not self.blocking_failures


def describe_observed(result) -> str:
    """The evidence GX found, in a line: counts and sample values, or why it could not evaluate."""
    info = result.exception_info or {}
    raised = [v for v in info.values() if isinstance(v, dict) and v.get("raised_exception")]
    if info.get("raised_exception") or raised:
        message = (info.get("exception_message") or (raised[0] if raised else {}).get("exception_message") or "")
        return f"could not be evaluated: {message.splitlines()[0] if message else 'error'}"
    detail = result.result or {}
    if "unexpected_count" in detail and detail.get("unexpected_count") is not None:
        sample = detail.get("partial_unexpected_list") or []
        shown = ", ".join(json.dumps(v, default=str) for v in sample[:5])
        return f"{detail['unexpected_count']} unexpected rows" + (f", e.g. {shown}" if shown else "")
    return f"observed {detail.get('observed_value')!r}"


def sample_unexpected_rows(database: Path, check: Check, count: int) -> str:
    """GX reports only the number of rows a `rows` check found (at the BASIC result format, which
    keeps validation fast); fetch the first one so the message shows what is wrong."""
    import sqlalchemy

    query = check.sql.replace("{batch}", f"(select * from {check.table})")
    # Connected exactly as the GX data source is: DuckDB refuses a second in-process connection to the
    # same file with a different configuration.
    engine = sqlalchemy.create_engine(**_engine_arguments(database))
    try:
        with engine.connect() as connection:
            result = connection.execute(sqlalchemy.text(f"select * from ({query}) as unexpected limit 1"))
            row = result.mappings().first()
    finally:
        engine.dispose()
    shown = json.dumps(dict(row), default=str)[:300] if row else ""
    return f"{count} unexpected rows" + (f", e.g. {shown}" if shown else "")


def _engine_arguments(database: Path) -> dict:
    return {"url": f"duckdb:///{Path(database).resolve()}", "connect_args": {"read_only": True}}


def docs_dir(gx_dir: Path) -> Path:
    return Path(gx_dir) / "data_docs"


def prepare_context(gx_dir: Path):
    """An ephemeral context (suites are code, nothing to persist but the docs) with a Data Docs
    site on disk under the warehouse, rebuilt for this run's results."""
    enable_duckdb()
    quiet_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    site = docs_dir(gx_dir)
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    context.add_data_docs_site(site_name="gate", site_config={
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    })
    return context


@dataclass(frozen=True)
class Target:
    """A suite to run: the checks of one table in one DuckDB database."""

    database: Path
    table: str
    checks: tuple[Check, ...]


def validate(database: Path, gx_dir: Path, settings: GateSettings | None = None,
             checks_by_table: dict[str, list[Check]] | None = None) -> GateResult:
    """Run every suite (or the given ones) on one build database."""
    checks_by_table = checks_by_table if checks_by_table is not None else suites(settings)
    return run_suites([Target(Path(database), table, tuple(checks)) for table, checks in checks_by_table.items()],
                      gx_dir)


def run_suites(targets: list[Target], gx_dir: Path, build_docs: bool = True) -> GateResult:
    """One checkpoint over all targets (one read-only data source per database)."""
    import great_expectations as gx

    started = time.perf_counter()
    context = prepare_context(Path(gx_dir))
    sources, definitions, by_name, databases = {}, [], {}, {}
    for index, target in enumerate(targets):
        database = target.database.resolve()
        if database not in sources:
            arguments = _engine_arguments(database)
            sources[database] = context.data_sources.add_sql(
                name=f"build_{len(sources)}", connection_string=arguments.pop("url"), kwargs=arguments)
        name = f"{target.table}#{index}" if len(sources) > 1 else target.table
        databases[name] = database
        asset = sources[database].add_query_asset(name=name, query=f"select * from {target.table}")
        suite = gx.ExpectationSuite(name=name)
        for check in target.checks:
            suite.add_expectation(check.expectation())
            by_name[(name, check.name)] = check
        suite = context.suites.add(suite)
        definition = gx.ValidationDefinition(name=name, data=asset.add_batch_definition_whole_table("all"),
                                             suite=suite)
        definitions.append((name, context.validation_definitions.add(definition)))
    checkpoint = context.checkpoints.add(gx.Checkpoint(
        name="publish_gate", validation_definitions=[d for _, d in definitions],
        result_format={"result_format": "BASIC", "partial_unexpected_count": 5},
    ))
    try:
        run = checkpoint.run()
        if build_docs:
            context.build_data_docs()  # once for all suites (the docs action would rebuild the site per suite)
    finally:
        for source in sources.values():
            release(source)
    outcomes: dict[str, SuiteOutcome] = {}
    for validation in run.run_results.values():
        suite_name = validation.suite_name
        for result in validation.results:
            check = by_name[(suite_name, result.expectation_config.meta["check"])]
            observed = "" if result.success else describe_observed(result)
            if not result.success and check.kind == "rows" and not observed.startswith("could not"):
                observed = sample_unexpected_rows(databases[suite_name], check,
                                                  (result.result or {}).get("observed_value"))
            outcome = CheckOutcome(check, bool(result.success), observed)
            outcomes.setdefault(suite_name, SuiteOutcome(check.table)).outcomes.append(outcome)
    docs = docs_dir(gx_dir) / "index.html"
    ordered = [outcomes[name] for name, _ in definitions if name in outcomes]
    return GateResult(ordered, time.perf_counter() - started, docs if docs.exists() else None)
