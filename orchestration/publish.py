"""Publish a validated build: copy the served schemas into a new DuckDB file, then swap it in.

BI tools read `<warehouse>/warehouse.duckdb`. DuckDB allows one writer or many readers per file,
so BI never reads the database dbt writes: the new file is written completely beside the old one
and renamed over it (atomic on POSIX). A reader that has the old file open keeps its snapshot and
sees the new data on its next connection; a failed or killed run leaves the old file untouched.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.ingest.readers import sql_string
from orchestration.project import layout

PUBLISHED_SCHEMAS = ("marts", "monitoring")


@dataclass
class PublishResult:
    path: Path
    tables: int
    seconds: float


def published_tables(con, catalog: str) -> list[tuple[str, str]]:
    schemas = ", ".join(sql_string(s) for s in PUBLISHED_SCHEMAS)
    return con.execute(
        f"select schema_name, table_name from duckdb_tables() "
        f"where database_name = {sql_string(catalog)} and schema_name in ({schemas}) order by 1, 2"
    ).fetchall()


def publish(warehouse: Path) -> PublishResult:
    lay = layout(warehouse)
    started = time.perf_counter()
    target = lay.published_database
    staging = target.with_name(target.name + ".publishing")
    for leftover in (staging, staging.with_name(staging.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con = duckdb.connect(str(staging))
    try:
        con.execute("set enable_progress_bar = false")
        con.execute(f"attach {sql_string(str(lay.build_database))} as build (read_only)")
        tables = published_tables(con, "build")
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"create schema if not exists {schema}")
        for schema, table in tables:
            con.execute(f"create table {schema}.{table} as select * from build.{schema}.{table}")
        con.execute("detach build")
        con.execute("checkpoint")
    finally:
        con.close()
    with open(staging, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(staging, target)
    return PublishResult(target, len(tables), time.perf_counter() - started)
