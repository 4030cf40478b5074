"""Validate a build with Great Expectations before it is published.

All computation is pushed down to DuckDB: each table is a query asset (`select * from schema.table`)
on one read-only SQL data source, every suite runs in one checkpoint (success only; the failed checks
run again for their evidence), and GX Data Docs are written under `<warehouse>/gx/data_docs/` on every
run. In an incremental build the row-level checks of the large incremental tables run on the rebuilt
rows only (expectations/scope.py).
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from expectations.checks import BLOCKING, WARNING, Check
from expectations.gx_duckdb import enable_duckdb, engine_arguments, fetch, quiet_gx, release
from expectations.scope import TableScope, read_scopes
from expectations.suites import GateSettings, suites
from orchestration.incremental import record_validation


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
    scope: TableScope | None = None  # set when the row-level checks ran on the rebuilt rows only

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
        return (f"{self.table:<45} {passed}/{len(self.outcomes)} passed  {state}" + (f" ({extra})" if extra else "")
                + (f" ({self.scope.note})" if self.scope else ""))


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


def sample_unexpected_rows(database: Path, check: Check, count: int, batch: str) -> str:
    """GX reports only the number of rows a `rows` check found (at the BASIC result format); fetch the
    first one from the same batch query so the message shows what is wrong."""
    query = check.sql.replace("{batch}", f"({batch})")
    rows = fetch(database, f"select * from ({query}) as unexpected limit 1")
    shown = json.dumps(rows[0], default=str)[:300] if rows else ""
    return f"{count} unexpected rows" + (f", e.g. {shown}" if shown else "")


def sample_duplicate_keys(database: Path, column: str, batch: str) -> str:
    """A failed uniqueness check reports a proportion; count the repeated keys and show the first."""
    rows = fetch(database, f"""
        select count(*) over () as repeated_keys, {column}, copies from (
            select {column}, count(*) as copies from ({batch}) as batch where {column} is not null
            group by {column} having count(*) > 1
        ) order by copies desc, {column} limit 1""")
    if not rows:
        return "no repeated key found on a second look"
    first = rows[0]
    return (f"{first['repeated_keys']} {column} values in more than one row, e.g. "
            f"{json.dumps(first[column], default=str)} in {first['copies']} rows")


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
    scope: TableScope | None = None

    def batches(self) -> list[tuple[str, str, tuple[Check, ...]]]:
        """(name suffix, query, checks) per GX query asset: when scoped, the checks the scope covers run
        on the rebuilt rows, the others on the whole table."""
        whole = f"select * from {self.table}"
        if self.scope is None:
            return [("", whole, self.checks)]
        rebuilt = tuple(c for c in self.checks if self.scope.covers(c))
        rest = tuple(c for c in self.checks if c not in rebuilt)
        return [(suffix, query, checks) for suffix, query, checks in (
            ("", whole, rest), (" [rebuilt rows]", f"{whole} where {self.scope.predicate}", rebuilt)) if checks]


@dataclass(frozen=True)
class _Batch:
    """One GX validation: checks on one query asset, for the target at `target`."""

    name: str
    target: int
    query: str
    definition: object  # GX batch definition
    checks: tuple[Check, ...]


def validate(database: Path, gx_dir: Path, settings: GateSettings | None = None,
             checks_by_table: dict[str, list[Check]] | None = None) -> GateResult:
    """Run every suite (or the given ones) on one build database. The whole gate records whether the build
    passed: only a build based on one that passed may be validated by its rebuilt rows."""
    whole_gate = checks_by_table is None
    checks_by_table = checks_by_table if checks_by_table is not None else suites(settings)
    scopes = read_scopes(database, checks_by_table)
    result = run_suites([Target(Path(database), table, tuple(checks), scopes.get(table))
                         for table, checks in checks_by_table.items()], gx_dir)
    if whole_gate:
        record_validation(Path(database).parent, result.passed)
        if result.passed:
            record_outcomes(gx_dir, result)
    return result


PASSED_OUTCOMES = "gate_outcomes.json"  # read by the report's data-quality section (orchestration/report)


def record_outcomes(gx_dir: Path, result: GateResult) -> None:
    """What the gate found on the last build that passed it (the one published next): counts and the
    warnings, as plain JSON a manager-facing page can show without opening the GX Data Docs."""
    record = {
        "validated_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "suites": len(result.suites), "expectations": len(result.outcomes),
        "warnings": [{"table": o.check.table, "check": o.check.name, "description": o.check.description,
                      "observed": o.observed} for o in result.warnings],
    }
    path = Path(gx_dir) / PASSED_OUTCOMES
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(record, indent=1), encoding="utf-8")
    partial.replace(path)


def _run_checkpoint(context, name: str, batches: list[_Batch], result_format: str, suffix: str = "") -> dict:
    """Run the batches' checks in one checkpoint: {(batch name, check name): GX result}."""
    import great_expectations as gx

    definitions, batch_of_suite = [], {}
    for batch in batches:
        suite = gx.ExpectationSuite(name=batch.name + suffix)
        for check in batch.checks:
            suite.add_expectation(check.expectation())
        suite = context.suites.add(suite)
        batch_of_suite[suite.name] = batch.name
        definitions.append(context.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=batch.definition, suite=suite)))
    checkpoint = context.checkpoints.add(gx.Checkpoint(
        name=name, validation_definitions=definitions,
        result_format={"result_format": result_format, "partial_unexpected_count": 5},
    ))
    return {(batch_of_suite[validation.suite_name], result.expectation_config.meta["check"]): result
            for validation in checkpoint.run().run_results.values() for result in validation.results}


def run_suites(targets: list[Target], gx_dir: Path, build_docs: bool = True) -> GateResult:
    """All targets in one checkpoint (one read-only data source per database) at the BOOLEAN_ONLY result
    format, which skips the queries for unexpected values; the failed checks alone then run again at the
    BASIC format for the counts and sample values their messages show."""
    started = time.perf_counter()
    context = prepare_context(Path(gx_dir))
    sources, batches = {}, []
    for index, target in enumerate(targets):
        database = target.database.resolve()
        if database not in sources:
            arguments = engine_arguments(database)
            sources[database] = context.data_sources.add_sql(
                name=f"build_{len(sources)}", connection_string=arguments.pop("url"), kwargs=arguments)
        name = f"{target.table}#{index}" if len(sources) > 1 else target.table
        for suffix, query, checks in target.batches():
            asset = sources[database].add_query_asset(name=name + suffix, query=query)
            batches.append(_Batch(name + suffix, index, query, asset.add_batch_definition_whole_table("all"), checks))
    try:
        results = _run_checkpoint(context, "publish_gate", batches, "BOOLEAN_ONLY")
        failed = [replace(b, checks=tuple(c for c in b.checks if not c.passed(results[(b.name, c.name)])))
                  for b in batches]
        failed = [b for b in failed if b.checks]
        if failed:
            results |= _run_checkpoint(context, "publish_gate_failures", failed, "BASIC", " (failure details)")
        if build_docs:
            context.build_data_docs()  # once for all suites (the docs action would rebuild the site per suite)
    finally:
        for source in sources.values():
            release(source)
    suites_run = [SuiteOutcome(target.table, scope=target.scope) for target in targets]
    for batch in batches:
        database = targets[batch.target].database
        for check in batch.checks:
            result = results[(batch.name, check.name)]
            success = check.passed(result)
            observed = "" if success else describe_observed(result)
            if not success and not observed.startswith("could not"):
                if check.kind == "rows":
                    observed = sample_unexpected_rows(database, check, (result.result or {}).get("observed_value"),
                                                      batch.query)
                elif check.kind == "unique" and len(check.columns) == 1:
                    observed = sample_duplicate_keys(database, check.columns[0], batch.query)
            suites_run[batch.target].outcomes.append(CheckOutcome(check, success, observed))
    docs = docs_dir(gx_dir) / "index.html"
    return GateResult([s for s in suites_run if s.outcomes], time.perf_counter() - started,
                      docs if docs.exists() else None)
