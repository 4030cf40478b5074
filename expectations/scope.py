"""What an incremental build rebuilt, so that the gate validates only those rows of the large
incremental tables (models/intermediate/incremental/: int_build_scope, int_rebuilt_rows, int_reopened_*).

In an incremental build dbt rebuilt, per table int_rebuilt_rows lists, only the rows its `reopened_by` names
(macros/reopened_by_kinds.sql): the re-opened decisions, their items, the re-opened days, or in staging the
rows delivered since the previous build; every other row is what the previous build held. dbt publishes
that as data (model, relation, kind, column); the predicate selecting those rows is built here, once per
kind (`rebuilt_rows_predicate`), from the tables dbt built the run's scope into. Row-level checks then run
on the rebuilt rows; checks whose meaning needs the whole table (schema, reconciliation across tables,
volume against trailing days, freshness) keep running on the whole table (`TableScope.covers`).

Primary-key uniqueness runs on the rebuilt rows too, when the scope's column is part of the primary key.
The marts' scopes select rows by that column, so every row of a key the build touched is in scope:
the scoped check is exact whatever dbt did. Staging's scope is the rows delivered since the previous
build; there the check relies on the strategy replacing keys (delete+insert or merge, the
`incremental_strategy` var; never append): every stored row of a re-delivered key is replaced, so an
untouched row cannot share a key with a rebuilt one. dbt's own tests on these keys are narrowed the
same way in an incremental build, by the `__rebuilt_rows__` placeholder in their `where` config
(macros/get_where_subquery.sql). Selecting staging rows by key instead (`key in (keys delivered since)`)
would make it exact too, but costs a semi-join over the whole history per GX query.

Skipping the untouched rows is sound only if the previous build passed the gate. dbt records a build as the base of the
next one as soon as dbt succeeds, before the gate runs; a build that failed the gate (or was never
validated) would be built upon, and its defective rows, if not rebuilt again, never re-validated. So the
gate records each build it passes and scopes only a build based on that one (`since_load_id`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from expectations.checks import Check
from expectations.gx_duckdb import querying
from orchestration.incremental import recorded_build

BUILD_SCOPE = "intermediate.int_build_scope"
# Per model the build rebuilt selectively: what re-opened its rows and the column they are selected by,
# derived by dbt from each model's config (macros/rebuilt_row_scopes.sql).
REBUILT_ROWS = "intermediate.int_rebuilt_rows"
REOPENED_DECISIONS = "intermediate.int_reopened_decisions"
REOPENED_DAYS = "intermediate.int_reopened_days"
PASSED_RECORD = "last_passed_build.json"


@dataclass(frozen=True)
class TableScope:
    key: str  # the column the rebuilt rows are selected by
    predicate: str  # SQL selecting the rebuilt rows
    rebuilt_rows: int
    total_rows: int

    def covers(self, check: Check) -> bool:
        """Whether the check may run on the rebuilt rows only (see the module docstring)."""
        if check.kind == "unique":
            return self.key in check.columns
        return check.kind != "rows" or check.per_row

    @property
    def note(self) -> str:
        return f"row checks on rebuilt rows only: {self.rebuilt_rows:,} of {self.total_rows:,}"


def rebuilt_rows_predicate(reopened_by: str, column: str | None, since_load_id: str) -> str | None:
    """SQL selecting a table's rows an incremental build rebuilt, by what re-opened them (dbt's macros
    is_reopened_* and delivered_since select the same rows). A row whose column is null is always in scope:
    a filter on the column alone would hide it. None: not scoped, the table is validated whole (dq_orphans,
    whose re-evaluated rows follow from several tables, is small; the calibration replicates are not gated)."""
    if reopened_by == "delivery":
        return "load_id > '{}'".format(since_load_id.replace("'", "''"))
    selected = {"decision": f"select decision_id from {REOPENED_DECISIONS}",
                "item": f"select item_id from {REOPENED_DECISIONS}",
                "day": f"select decision_date from {REOPENED_DAYS}"}.get(reopened_by)
    return None if selected is None or column is None else f"{column} is null or {column} in ({selected})"


def record_validation(gx_dir: Path, database: Path, passed: bool) -> None:
    """After the whole gate ran on a build: remember it if it passed, so that the next build, based on
    it, may be validated by its rebuilt rows; forget it otherwise."""
    record, through = Path(gx_dir) / PASSED_RECORD, recorded_build(Path(database).parent)
    if not (passed and through):
        record.unlink(missing_ok=True)
        return
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"database": str(Path(database).resolve()), "built_through_load_id": through}))


def _passed_through(gx_dir: Path, database: Path) -> str | None:
    record = Path(gx_dir) / PASSED_RECORD
    if not record.exists():
        return None
    passed = json.loads(record.read_text())
    return passed["built_through_load_id"] if passed["database"] == str(Path(database).resolve()) else None


def read_scopes(database: Path, gx_dir: Path, tables) -> dict[str, TableScope]:
    """The scope of each table of `tables` that int_rebuilt_rows lists, when the database is an incremental
    build on top of a build that passed the gate; {} (validate everything) otherwise, e.g. a full build or
    a build older than int_rebuilt_rows."""
    with querying(database) as query:
        relations = {row["name"] for row in query("select table_schema || '.' || table_name as name from "
                                                  "information_schema.tables where table_catalog = current_database()")}
        if not {BUILD_SCOPE, REBUILT_ROWS} <= relations:
            return {}
        build = query(f"select since_load_id, is_incremental from {BUILD_SCOPE}")
        if len(build) != 1 or not build[0]["is_incremental"] or build[0]["since_load_id"] is None:
            return {}
        since = build[0]["since_load_id"]
        if since != _passed_through(gx_dir, database):
            return {}
        scopes = {}
        for row in query(f"select relation_name, reopened_by, reopened_column from {REBUILT_ROWS}"):
            table = row["relation_name"]
            predicate = rebuilt_rows_predicate(row["reopened_by"], row["reopened_column"], since)
            if table not in tables or predicate is None:
                continue
            (counts,) = query(f"select count(*) filter (where {predicate}) as rebuilt, count(*) as total from {table}")
            scopes[table] = TableScope(row["reopened_column"], predicate, counts["rebuilt"], counts["total"])
    return scopes
