"""The Parquet of a publication: one folder per mart, and the large facts as day partitions that a daily
publish mostly hard-links from the previous publication instead of writing their history again.

A mart whose contract says `meta: {published_partition: <date column>}` (models/marts/**/_*.yml) is written
as `<table>/<column>=<day>/data_0.parquet`, the column kept inside the files. A day is hard-linked from the
previous publication (the same bytes under a second name: no copy, and the old folder can be deleted) only
when it provably holds the same rows; otherwise it is written from the build:
  - the build is incremental on top of exactly the build the previous publication holds (its
    `since_load_id` is that publication's `built_through_load_id`) and the table's columns are unchanged;
  - the table's rows are re-opened by decision, item or day (int_rebuilt_rows): those are the kinds whose
    days int_reopened_days lists (the old and new day of every re-opened decision), and re-opened days
    are always written;
  - the day's row count in the build is the count the previous publication recorded (a cheap net: a day
    whose count moved is written whatever the scope says).
Files are never changed once published, so a hard link is safe. Each publication records what it holds
in `_publication.json`, which the next publish reads.
"""

from __future__ import annotations

import json
import os
import queue
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from expectations.scope import REBUILT_ROWS, REOPENED_DAYS, built_on
from orchestration.ingest.sql import sql_string

RECORD = "_publication.json"
# The int_rebuilt_rows kinds whose changed rows all lie on days int_reopened_days lists.
DAY_BOUNDED_KINDS = ("decision", "item", "day")
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"


@dataclass
class ParquetExport:
    """What one publish wrote: per table its record entry; counts of day partitions written and linked."""

    tables: dict[str, dict] = field(default_factory=dict)
    days_written: int = 0
    days_linked: int = 0

    def partitioned(self, table: str) -> bool:
        """Whether the table was published as day partitions (an empty table has none: it stays a table)."""
        return bool(self.tables.get(table, {}).get("rows"))


def read_record(folder: Path | None) -> dict:
    path = folder / RECORD if folder else None
    return json.loads(path.read_text()) if path and path.exists() else {}


def write_record(folder: Path, built_through_load_id: str | None, export: ParquetExport) -> None:
    (folder / RECORD).write_text(json.dumps({"built_through_load_id": built_through_load_id,
                                             "tables": export.tables}, indent=1))


def reopened_days(con, catalog: str, previous_through: str | None) -> tuple[list[str], set[str]] | None:
    """The days this build re-opened and the relations whose changes stay within them, when the build is
    incremental on top of the build the previous publication holds (`built_on`, the question the gate asks
    of the build it validated last); None otherwise (write everything)."""
    def query(sql: str) -> list[dict]:
        cursor = con.execute(sql)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    if previous_through is None or built_on(query, catalog) != previous_through:
        return None
    days = [day for (day,) in con.execute(
        f'select distinct cast(decision_date as varchar) from "{catalog}".{REOPENED_DAYS} '
        "where decision_date is not null").fetchall()]
    bounded = {name for (name,) in con.execute(
        f'select relation_name from "{catalog}".{REBUILT_ROWS} where reopened_by in '
        f"({', '.join(sql_string(kind) for kind in DAY_BOUNDED_KINDS)})").fetchall()}
    return days, bounded


def _columns(con, catalog: str, schema: str, table: str) -> list[list[str]]:
    return [list(row) for row in con.execute(
        "select column_name, data_type from duckdb_columns() where database_name = ? and schema_name = ? "
        "and table_name = ? order by column_index", [catalog, schema, table]).fetchall()]


def _link_folder(source: Path, target: Path) -> None:
    target.mkdir(parents=True)
    for file in source.iterdir():
        os.link(file, target / file.name)


def _write_days(con, relation: str, column: str, days: list[str | None], target: Path) -> None:
    """Write each day's rows as `<target>/<column>=<day>/data_0.parquet` (a NULL day under Hive's default
    partition name, as DuckDB's partition_by names it), several days at once. One COPY … partition_by
    writes its partitions with one thread each in turn, which leaves a core idle; one COPY per day on
    a cursor per core writes as fast as an unpartitioned COPY."""
    def write(day: str | None) -> None:
        folder = target / f"{column}={NULL_PARTITION if day is None else day}"
        folder.mkdir(parents=True)
        where = f"{column} is null" if day is None else f"{column} = date {sql_string(day)}"
        cursor = idle.get()  # a DuckDB cursor serves one thread at a time
        try:
            cursor.execute(f"copy (select * from {relation} where {where}) to "
                           f"{sql_string(str(folder / 'data_0.parquet'))} (format parquet)")
        finally:
            idle.put(cursor)

    if not days:
        return
    (threads,) = con.execute("select current_setting('threads')").fetchone()
    workers = max(1, min(int(threads), len(days)))
    idle = queue.SimpleQueue()
    cursors = [con.cursor() for _ in range(workers)]
    for cursor in cursors:
        idle.put(cursor)
    try:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(write, days))
    finally:
        for cursor in cursors:
            cursor.close()


def _export_partitioned(con, catalog: str, schema: str, table: str, column: str, folder: Path,
                        previous: Path | None, previous_entry: dict, reopened: list[str] | None,
                        export: ParquetExport) -> None:
    relation = f'"{catalog}"."{schema}"."{table}"'
    columns = _columns(con, catalog, schema, table)
    rows = {day: count for day, count in con.execute(
        f"select cast({column} as varchar), count(*) from {relation} group by 1").fetchall()}
    reusable = (reopened is not None and previous is not None and previous_entry.get("columns") == columns
                and previous_entry.get("partition_by") == column)
    old_rows = previous_entry.get("rows", {}) if reusable else {}
    linked = {day for day, count in rows.items()
              if day is not None and day not in (reopened or ()) and old_rows.get(day) == count
              and (previous / table / f"{column}={day}").is_dir()}
    target = folder / table
    to_write = [day for day in rows if day not in linked]
    _write_days(con, relation, column, to_write, target)
    target.mkdir(parents=True, exist_ok=True)
    for day in sorted(linked):
        _link_folder(previous / table / f"{column}={day}", target / f"{column}={day}")
    export.tables[table] = {"partition_by": column, "columns": columns,
                            "rows": {day: count for day, count in rows.items() if day is not None}}
    export.days_written += len(to_write)
    export.days_linked += len(linked)


def export_parquet(con, catalog: str, tables: list[tuple[str, str]], partitions: dict[str, str], folder: Path,
                   previous: Path | None) -> ParquetExport:
    """Write every published table of the attached build `catalog` under `folder`: a table in `partitions`
    (table -> date column) by day, reusing the previous publication's days where they are unchanged."""
    record = read_record(previous)
    scope = reopened_days(con, catalog, record.get("built_through_load_id"))
    export = ParquetExport()
    folder.mkdir(parents=True)
    for schema, table in tables:
        if table in partitions:
            days, bounded = scope if scope else (None, set())
            _export_partitioned(con, catalog, schema, table, partitions[table], folder, previous,
                                record.get("tables", {}).get(table, {}),
                                days if f"{schema}.{table}" in bounded else None, export)
        else:
            (folder / table).mkdir()
            con.execute(f'copy "{catalog}"."{schema}"."{table}" to '
                        f"{sql_string(str(folder / table / 'data.parquet'))} (format parquet)")
    return export


def partitioned_view_sql(folder: Path, table: str) -> str:
    """The query a published view of a partitioned table runs: its day files, the column read from them."""
    files = sql_string(str(folder / table / "*" / "*.parquet"))
    return f"select * from read_parquet({files}, hive_partitioning = false)"
