"""Publish a validated build: the served DuckDB file, a Parquet copy of every mart and the dbt docs
site, each swapped in atomically.

BI tools read `<warehouse>/warehouse.duckdb`. DuckDB allows one writer or many readers per file, so
BI never reads the database dbt writes: the new file is written completely beside the old one and
renamed over it (atomic on POSIX). A reader that has the old file open keeps its snapshot and sees
the new data on its next connection. `<warehouse>/parquet` is a symbolic link to the current
`published/parquet-<id>/` folder, replaced by rename too; the previous folder is kept one round so
a reader in the middle of a scan can finish it. `<warehouse>/docs` (the dbt docs site of the
publication, orchestration/docs_site.py) is swapped the same way. A failed or killed run changes none.

For the tools that read it, the file carries what the dbt YAML says: comments on every table and
column (persist_docs), a primary key on every table whose contract names one (keys of
`expectations.contracts`, already proven unique and not null by the gate), SQL functions for the
interval metrics (macros/create_metric_functions.sql), and the storage format of DuckDB 1.4, the LTS
line, so 1.x clients open it.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from expectations.contracts import read_mart_contracts
from orchestration.docs_site import generate_docs_site
from orchestration.ingest.sql import sql_string
from orchestration.project import layout, reader_memory_limit, restrict_access, share_with_readers

PUBLISHED_SCHEMAS = ("marts", "monitoring")
KEEP_VERSIONS = 2
# The oldest DuckDB that opens the published file: 1.4 is the LTS line that BI drivers ship. profiles.yml
# creates the build file in this format; a build file created before that is converted at publish.
PUBLISHED_STORAGE_VERSION = "v1.4.0"
# Tables at decision grain: an index on their key costs time and memory in proportion to the data on
# every publish, so they publish without a declared primary key. dbt and the gate still test their keys.
UNINDEXED_TABLES = frozenset({"fct_decisions"})


@dataclass
class PublishResult:
    path: Path
    parquet: Path
    tables: int
    seconds: float
    docs: Path | None = None  # the docs site's page


def published_tables(con, catalog: str) -> list[tuple[str, str]]:
    schemas = ", ".join(sql_string(s) for s in PUBLISHED_SCHEMAS)
    return con.execute(
        f"select schema_name, table_name from duckdb_tables() "
        f"where database_name = {sql_string(catalog)} and schema_name in ({schemas}) order by 1, 2"
    ).fetchall()


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _storage_version(con, catalog: str) -> str:
    (tags,) = con.execute("select tags from duckdb_databases() where database_name = ?", [catalog]).fetchone()
    return (tags or {}).get("storage_version", "")


def _declare_primary_keys(con, tables: list[tuple[str, str]]) -> None:
    """ALTER TABLE … ADD PRIMARY KEY from the marts' contracts, so tools that reflect keys (BI
    modellers, ER diagrams) see them. A duplicate or NULL key fails the publish, which is right."""
    keys = {(contract.schema, name): contract.key for name, contract in read_mart_contracts().items()}
    for schema, table in tables:
        key = keys.get((schema, table))
        if key and table not in UNINDEXED_TABLES:
            con.execute(f'alter table "{schema}"."{table}" add primary key ({", ".join(key)})')


def _convert_storage(source: Path, converted: Path) -> None:
    """Rewrite a file in the published storage format (a build file created before profiles.yml set it):
    COPY FROM DATABASE keeps tables, comments, keys and macros, but re-compresses every table."""
    converted.unlink(missing_ok=True)
    con = duckdb.connect(config={"memory_limit": reader_memory_limit()})
    try:
        con.execute(f"attach {sql_string(str(source))} as source_database (read_only)")
        con.execute(f"attach {sql_string(str(converted))} as converted_database "
                    f"(storage_version {sql_string(PUBLISHED_STORAGE_VERSION)})")
        con.execute("copy from database source_database to converted_database")
    finally:
        con.close()
    os.replace(converted, source)


def write_database(build: Path, staging: Path) -> list[tuple[str, str]]:
    """The validated build file, copied byte for byte, minus everything BI does not read. Copying the
    file is I/O at disk speed; copying the tables row by row re-compresses them.
    Dropped schemas leave free blocks behind, so the published file is as large as the build file."""
    for leftover in (staging, staging.with_name(staging.name + ".wal")):
        leftover.unlink(missing_ok=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(build, staging)
    build_wal = build.with_name(build.name + ".wal")
    if build_wal.exists():  # not checkpointed yet: DuckDB replays it when the copy opens
        shutil.copyfile(build_wal, staging.with_name(staging.name + ".wal"))
    con = duckdb.connect(str(staging))
    try:
        con.execute("set enable_progress_bar = false")
        catalog = con.execute("select current_database()").fetchone()[0]
        tables = published_tables(con, catalog)
        private = con.execute(
            "select schema_name from duckdb_schemas() where database_name = current_database() "
            "and not internal and schema_name not in ('main', " + ", ".join(sql_string(s) for s in PUBLISHED_SCHEMAS)
            + ")").fetchall()
        for (schema,) in private:
            con.execute(f'drop schema "{schema}" cascade')
        # Views too: the build's views read its private schemas and the raw layer, which BI does not see.
        for schema, name, kind in con.execute(
                "select schema_name, table_name, 'table' from duckdb_tables() where database_name = current_database() "
                "and schema_name = 'main' union all select schema_name, view_name, 'view' from duckdb_views() "
                "where database_name = current_database() and not internal").fetchall():
            con.execute(f'drop {kind} "{schema}"."{name}"')
        _declare_primary_keys(con, tables)
        con.execute("checkpoint")
        storage_version = _storage_version(con, catalog)
    finally:
        con.close()
    if not storage_version.startswith(PUBLISHED_STORAGE_VERSION):
        _convert_storage(staging, staging.with_name(staging.name + ".converting"))
    _fsync(staging)
    return tables


def _write_parquet(source: Path, tables: list[tuple[str, str]], folder: Path) -> None:
    con = duckdb.connect(str(source), read_only=True, config={"memory_limit": reader_memory_limit()})
    try:
        con.execute("set enable_progress_bar = false")
        # Row order is not part of a table; without it DuckDB writes a file in parallel (~15 % faster).
        con.execute("set preserve_insertion_order = false")
        for schema, table in tables:
            (folder / table).mkdir(parents=True)
            target = folder / table / "data.parquet"
            con.execute(f"copy {schema}.{table} to {sql_string(str(target))} (format parquet)")
    finally:
        con.close()


def _swap_symlink(link: Path, target: Path) -> None:
    temporary = link.with_name(link.name + ".swap")
    temporary.unlink(missing_ok=True)
    os.symlink(os.path.relpath(target, link.parent), temporary)
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)  # a plain folder from an older layout
    os.replace(temporary, link)


def _prune_versions(versions_dir: Path, pattern: str, current: Path) -> None:
    versions = sorted(p for p in versions_dir.glob(pattern) if p.is_dir() and not p.name.endswith(".partial"))
    for old in versions[:-KEEP_VERSIONS]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
    for partial in versions_dir.glob(pattern.replace("*", "*.partial")):  # left by a killed publish
        shutil.rmtree(partial, ignore_errors=True)


def publish(warehouse: Path) -> PublishResult:
    lay = layout(warehouse)
    restrict_access(lay)
    started = time.perf_counter()
    target = lay.published_database
    # In a folder of its own so that it keeps the published file's name: dbt names the database (the
    # catalog the docs site and MetricFlow record) after the file.
    staging = lay.root / "publishing" / target.name
    versions_dir = lay.root / "published"
    publish_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    partial = versions_dir / f"parquet-{publish_id}.partial"
    docs_partial = versions_dir / f"docs-{publish_id}.partial"
    docs_link = lay.root / "docs"
    try:
        tables = write_database(lay.build_database, staging)
        versions_dir.mkdir(exist_ok=True)
        _write_parquet(staging, tables, partial)
        generate_docs_site(lay.root, staging, docs_partial, docs_link.resolve() if docs_link.is_symlink() else None)
    except BaseException:
        # A failed publish (a full disk, say) leaves nothing half-written beside the published files.
        for suffix in ("", ".wal", ".converting"):
            staging.with_name(staging.name + suffix).unlink(missing_ok=True)
        for folder in (partial, docs_partial):
            shutil.rmtree(folder, ignore_errors=True)
        raise
    complete = versions_dir / f"parquet-{publish_id}"
    os.replace(partial, complete)
    docs = versions_dir / f"docs-{publish_id}"
    os.replace(docs_partial, docs)

    share_with_readers([staging, complete, docs])
    os.replace(staging, target)  # the served database first: it is what most readers use
    _swap_symlink(lay.parquet_dir, complete)
    _swap_symlink(docs_link, docs)
    _prune_versions(versions_dir, "parquet-*", complete)
    _prune_versions(versions_dir, "docs-*", docs)
    return PublishResult(target, lay.parquet_dir, len(tables), time.perf_counter() - started,
                         docs_link / "index.html")
