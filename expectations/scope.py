"""What an incremental build rebuilt, so that the gate validates only those rows of the large
incremental tables (models/intermediate/incremental/: int_build_scope, int_rebuilt_rows, int_reopened_*).

In an incremental build dbt rebuilt, per table int_rebuilt_rows lists, only the rows its `reopened_by` names
(macros/reopened_by_kinds.sql): the re-opened decisions, their items or appeals, the re-opened days, or in
staging the rows delivered since the previous build; every other row is what the previous build held. dbt
publishes that as data (model, relation, kind, column); the predicate selecting those rows is built here, once per
kind (`rebuilt_rows_predicate`), from the tables dbt built the run's scope into. Row-level checks then run
on the rebuilt rows; checks whose meaning needs the whole table (schema, reconciliation across tables,
volume against trailing days, freshness) keep running on the whole table (`TableScope.covers`).

Primary-key uniqueness runs on the rebuilt rows too, when the scope's column is part of the primary key.
The marts' scopes select rows by that column, so every row of a key the build touched is in scope:
the scoped check is exact whatever dbt did. Staging's scope is the rows delivered since the previous
build; there the check relies on the strategy replacing keys (replace_reopened deletes the stored rows of
every key ingest flagged re-delivered; never append), so an untouched row cannot share a key with a
rebuilt one. dbt's own tests on these keys are narrowed the
same way in an incremental build, by the `__rebuilt_rows__` placeholder in their `where` config
(macros/get_where_subquery.sql). Selecting staging rows by key instead (`key in (keys delivered since)`)
would make it exact too, but costs a semi-join over the whole history per GX query.

Skipping the untouched rows is sound only if the previous build passed the gate. dbt records a build as the base of the
next one as soon as dbt succeeds, before the gate runs; a build that failed the gate (or was never
validated) would be built upon, and its defective rows, if not rebuilt again, never re-validated. So the
gate records each build it passes (orchestration/incremental.py, the build's one state record) and scopes
only a build based on that one (`built_on`, which the publish asks the same question with).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from expectations.gx_duckdb import querying
from orchestration.incremental import read_state

if TYPE_CHECKING:  # a type only: the publish asks `built_on` without importing GX
    from expectations.checks import Check

BUILD_SCOPE = "intermediate.int_build_scope"
# Per model the build rebuilt selectively: what re-opened its rows and the column they are selected by,
# derived by dbt from each model's config (macros/rebuilt_row_scopes.sql).
REBUILT_ROWS = "intermediate.int_rebuilt_rows"
REOPENED_DECISIONS = "intermediate.int_reopened_decisions"
REOPENED_DAYS = "intermediate.int_reopened_days"
STAGED_APPEALS = "staging.stg_landing__appeals"


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


def rebuilt_rows_predicate(reopened_by: str, column: str | None, since_load_id: str,
                           on_day: str | None = None) -> str | None:
    """SQL selecting a table's rows an incremental build rebuilt, by what re-opened them (dbt's macro
    reopened_rows selects the same rows), first by the re-opened days when the table declares the day its
    rows lie on (`on_day`): DuckDB then skips the other days instead of probing every key of the history.
    A row whose column is null is always in scope: a filter on the column alone would hide it. None: not
    scoped, the table is validated whole (dq_orphans, whose re-evaluated rows follow from several tables,
    is small; the calibration replicates are not gated)."""
    delivered_since = "load_id > '{}'".format(since_load_id.replace("'", "''"))
    if reopened_by == "delivery":
        return delivered_since
    reopened_days = f"select decision_date from {REOPENED_DAYS}"
    reopened_decisions = f"select decision_id from {REOPENED_DECISIONS}"
    selected = {"decision": reopened_decisions,
                "item": f"select item_id from {REOPENED_DECISIONS}",
                "appeal": f"select appeal_id from {STAGED_APPEALS} "
                          f"where {delivered_since} or decision_id in ({reopened_decisions})",
                "day": reopened_days}.get(reopened_by)
    if selected is None or column is None:
        return None
    within_days = f"{on_day} in ({reopened_days}) and " if on_day else ""
    return f"{column} is null or ({within_days}{column} in ({selected}))"


def built_on(query: Callable[[str], list[dict]], catalog: str | None = None) -> str | None:
    """The load a build was built on incrementally (int_build_scope): every row it did not rebuild (per
    int_rebuilt_rows) is what the build through that load held. None for a full build, or a build made
    before these relations existed. `catalog`: the build attached under that name (default: the current
    database)."""
    where = f"table_catalog = '{catalog}'" if catalog else "table_catalog = current_database()"
    relations = {row["name"] for row in query("select table_schema || '.' || table_name as name "
                                              f"from information_schema.tables where {where}")}
    if not {BUILD_SCOPE, REBUILT_ROWS, REOPENED_DECISIONS, REOPENED_DAYS} <= relations:
        return None
    prefix = f'"{catalog}".' if catalog else ""
    rows = query(f"select since_load_id from {prefix}{BUILD_SCOPE} where is_incremental")
    return rows[0]["since_load_id"] if len(rows) == 1 else None


def read_scopes(database: Path, tables) -> dict[str, TableScope]:
    """The scope of each table of `tables` that int_rebuilt_rows lists, when the database is an incremental
    build on top of a build that passed the gate; {} (validate everything) otherwise, e.g. a full build or
    a build older than int_rebuilt_rows."""
    with querying(database) as query:
        since = built_on(query)
        if since is None or since != read_state(Path(database).parent).validated_through:
            return {}
        scopes = {}
        for row in query(f"select relation_name, reopened_by, reopened_column, reopened_on_day from {REBUILT_ROWS}"):
            table = row["relation_name"]
            predicate = rebuilt_rows_predicate(row["reopened_by"], row["reopened_column"], since,
                                               row["reopened_on_day"])
            if table not in tables or predicate is None:
                continue
            # Two counts, not one pass with a filter: alone, the predicate skips the days nobody re-opened,
            # and a whole table's count comes from its metadata.
            (rebuilt,) = query(f"select count(*) as n from {table} where {predicate}")
            (total,) = query(f"select count(*) as n from {table}")
            scopes[table] = TableScope(row["reopened_column"], predicate, rebuilt["n"], total["n"])
    return scopes
