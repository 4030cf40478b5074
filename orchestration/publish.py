"""Publish a validated build: the served DuckDB file, a Parquet copy of every mart and the dbt docs
site, each swapped in atomically.

BI tools read `<warehouse>/warehouse.duckdb`. DuckDB allows one writer or many readers per file, so
BI never reads the database dbt writes: the new file is written completely beside the old one and
renamed over it (atomic on POSIX). A reader that has the old file open keeps its snapshot and sees
the new data on its next connection. `<warehouse>/parquet` is a symbolic link to the current
`published/parquet-<id>/` folder, replaced by rename too; the previous folder is kept one round so
a reader in the middle of a scan can finish it. `<warehouse>/docs` (the dbt docs site of the
publication, orchestration/docs_site.py) is swapped the same way. A failed or killed run changes none.

A publish costs the day, not the history: the large facts (a contract's `published_partition`) are
Parquet day partitions of which only the re-opened days are written, the rest hard-linked from the
previous publication (orchestration/publication_parquet.py), and the DuckDB file serves them as views
over the publication's own folder. The file holds the other marts as tables, written afresh: they are
small (aggregates), and a copy of the build file would carry the facts' history again.

For the tools that read it, the file carries what the dbt YAML says: comments on every table, view and
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
from orchestration.incremental import read_state
from orchestration.ingest.sql import sql_string
from orchestration.project import layout, reader_memory_limit, restrict_access, share_with_readers
from orchestration.publication_parquet import ParquetExport, export_parquet, partitioned_view_sql, write_record

PUBLISHED_SCHEMAS = ("marts", "monitoring")
KEEP_VERSIONS = 2
# The oldest DuckDB that opens the published file: 1.4 is the LTS line that BI drivers ship.
PUBLISHED_STORAGE_VERSION = "v1.4.0"
BUILD_CATALOG = "build"  # the build file's own catalog name, which its views' SQL names
PUBLISHED_CATALOG = "publishing"


@dataclass
class PublishResult:
    path: Path
    parquet: Path
    tables: int
    seconds: float
    docs: Path | None = None  # the docs site's page
    days_written: int = 0  # day partitions of the large facts written by this publish
    days_linked: int = 0  # and hard-linked unchanged from the previous one


def published_tables(con, catalog: str) -> list[tuple[str, str]]:
    """The relations BI reads: the tables and views of the published schemas."""
    schemas = ", ".join(sql_string(s) for s in PUBLISHED_SCHEMAS)
    where = f"where database_name = {sql_string(catalog)} and schema_name in ({schemas})"
    return con.execute(f"select schema_name, table_name from duckdb_tables() {where} union all "
                       f"select schema_name, view_name from duckdb_views() {where} and not internal order by 1, 2"
                       ).fetchall()


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _declare_primary_keys(con, catalog: str, tables: list[tuple[str, str]]) -> None:
    """ALTER TABLE … ADD PRIMARY KEY from the marts' contracts, so tools that reflect keys (BI
    modellers, ER diagrams) see them. A duplicate or NULL key fails the publish, which is right.
    The partitioned facts are views (a view has no key); dbt and the gate test their keys."""
    keys = {(contract.schema, name): contract.key for name, contract in read_mart_contracts().items()}
    for schema, table in tables:
        key = keys.get((schema, table))
        if key:
            con.execute(f'alter table "{catalog}"."{schema}"."{table}" add primary key ({", ".join(key)})')


def _serve_as_view(con, schema: str, table: str, parquet_folder: Path) -> None:
    """Replace the (empty) copied table by a view over the publication's day files, with its comments."""
    (comment,) = con.execute("select comment from duckdb_tables() where database_name = ? and schema_name = ? "
                             "and table_name = ?", [BUILD_CATALOG, schema, table]).fetchone()
    columns = con.execute("select column_name, comment from duckdb_columns() where database_name = ? and "
                          "schema_name = ? and table_name = ? and comment is not null",
                          [BUILD_CATALOG, schema, table]).fetchall()
    relation = f'"{PUBLISHED_CATALOG}"."{schema}"."{table}"'
    con.execute(f"drop table {relation}")
    con.execute(f"create view {relation} as {partitioned_view_sql(parquet_folder, table)}")
    if comment:
        con.execute(f"comment on view {relation} is {sql_string(comment)}")
    for column, text in columns:
        con.execute(f'comment on column {relation}."{column}" is {sql_string(text)}')


def write_database(build: Path, staging: Path, parquet_folder: Path | None = None,
                   export: ParquetExport | None = None) -> list[tuple[str, str]]:
    """A new DuckDB file with what BI reads from the build: its published schemas' definitions, comments
    and SQL functions (COPY FROM DATABASE … (SCHEMA): no rows), the small marts' rows, and the tables
    `export` partitioned as views over `parquet_folder` (their final, published folder)."""
    export = export or ParquetExport()
    for leftover in (staging, staging.with_name(staging.name + ".wal")):
        leftover.unlink(missing_ok=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    with _attach_build(build) as con:
        return _write_database(con, staging, parquet_folder, export)


def _write_database(con, staging: Path, parquet_folder: Path | None, export: ParquetExport) -> list[tuple[str, str]]:
    con.execute(f"attach {sql_string(str(staging))} as {PUBLISHED_CATALOG} "
                f"(storage_version {sql_string(PUBLISHED_STORAGE_VERSION)})")
    try:
        con.execute(f"copy from database {BUILD_CATALOG} to {PUBLISHED_CATALOG} (schema)")
        private = con.execute(
            "select schema_name from duckdb_schemas() where database_name = ? and not internal and schema_name "
            "not in ('main', " + ", ".join(sql_string(s) for s in PUBLISHED_SCHEMAS) + ")", [PUBLISHED_CATALOG]
        ).fetchall()
        for (schema,) in private:
            con.execute(f'drop schema {PUBLISHED_CATALOG}."{schema}" cascade')
        # Views too: the build's views read its private schemas and the raw layer, which BI does not see.
        for schema, name, kind in con.execute(
                "select schema_name, table_name, 'table' from duckdb_tables() where database_name = $1 "
                "and schema_name = 'main' union all select schema_name, view_name, 'view' from duckdb_views() "
                "where database_name = $1 and schema_name = 'main' and not internal", [PUBLISHED_CATALOG]).fetchall():
            con.execute(f'drop {kind} {PUBLISHED_CATALOG}."{schema}"."{name}"')
        tables = published_tables(con, PUBLISHED_CATALOG)
        for schema, table in tables:
            if export.partitioned(table):
                _serve_as_view(con, schema, table, parquet_folder)
            else:
                con.execute(f'insert into {PUBLISHED_CATALOG}."{schema}"."{table}" '
                            f'select * from {BUILD_CATALOG}."{schema}"."{table}"')
        _declare_primary_keys(con, PUBLISHED_CATALOG, [t for t in tables if not export.partitioned(t[1])])
    finally:
        con.execute(f"detach {PUBLISHED_CATALOG}")
    _fsync(staging)
    return tables


def _attach_build(build: Path):
    """An in-memory DuckDB session with the build file attached read-only under its own name, spilling
    beside it."""
    temp_dir = build.parent / "tmp"
    temp_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"memory_limit": reader_memory_limit(), "temp_directory": str(temp_dir)})
    con.execute("set enable_progress_bar = false")
    # Row order is not part of a table; without it DuckDB writes Parquet in parallel.
    con.execute("set preserve_insertion_order = false")
    con.execute(f"attach {sql_string(str(build))} as {BUILD_CATALOG} (read_only)")
    return con


def _swap_symlink(link: Path, target: Path) -> None:
    temporary = link.with_name(link.name + ".swap")
    temporary.unlink(missing_ok=True)
    os.symlink(os.path.relpath(target, link.parent), temporary)
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)  # a plain folder from an older layout
    os.replace(temporary, link)


def _prune_versions(versions_dir: Path, pattern: str, keep: set[Path | None]) -> None:
    """Delete all but the newest versions, never the current one or the one it replaced (a reader may be
    in it), even if a killed run left a newer unpublished folder."""
    versions = sorted(p for p in versions_dir.glob(pattern) if p.is_dir() and not p.name.endswith(".partial"))
    for old in versions[:-KEEP_VERSIONS]:
        if old not in keep:
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
    complete = versions_dir / f"parquet-{publish_id}"
    docs_partial = versions_dir / f"docs-{publish_id}.partial"
    docs_link = lay.root / "docs"
    previous = lay.parquet_dir.resolve() if lay.parquet_dir.is_symlink() else None
    previous_docs = docs_link.resolve() if docs_link.is_symlink() else None
    partitions = {name: contract.published_partition for name, contract in read_mart_contracts().items()
                  if contract.published_partition}
    try:
        versions_dir.mkdir(exist_ok=True)
        with _attach_build(lay.build_database) as con:
            export = export_parquet(con, BUILD_CATALOG, published_tables(con, BUILD_CATALOG), partitions, partial,
                                    previous)
        write_record(partial, read_state(lay.build_dir).built_through, export)
        # Complete (still unpublished) before the file's views are created: DuckDB binds a view to its files.
        os.replace(partial, complete)
        tables = write_database(lay.build_database, staging, complete, export)
        generate_docs_site(lay.root, staging, docs_partial, previous_docs)
    except BaseException:
        # A failed publish (a full disk, say) leaves nothing half-written beside the published files.
        for suffix in ("", ".wal"):
            staging.with_name(staging.name + suffix).unlink(missing_ok=True)
        for folder in (partial, complete, docs_partial):
            shutil.rmtree(folder, ignore_errors=True)
        raise
    docs = versions_dir / f"docs-{publish_id}"
    os.replace(docs_partial, docs)

    share_with_readers([staging, complete, docs])
    os.replace(staging, target)  # the served database first: it is what most readers use
    _swap_symlink(lay.parquet_dir, complete)
    _swap_symlink(docs_link, docs)
    _prune_versions(versions_dir, "parquet-*", {complete, previous})
    _prune_versions(versions_dir, "docs-*", {docs, previous_docs})
    return PublishResult(target, lay.parquet_dir, len(tables), time.perf_counter() - started,
                         docs_link / "index.html", export.days_written, export.days_linked)
