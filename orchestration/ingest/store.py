"""The validated raw layer on disk: Parquet files that dbt reads on DuckDB and on Spark alike.

    raw/<table>/<batch>.parquet        accepted rows, typed, with lineage columns
    raw/_quarantine/<batch>.parquet    rejected rows: table, file, line, column, reason, raw record
    raw/_manifest/<batch>.parquet      one row per landing file of the batch: the commit marker

A batch is committed when its manifest file exists (written last, by rename). A run that dies
before that leaves batch files without a manifest; `recover()` removes them, so the next run loads
those landing files again from scratch and nothing is counted twice.
"""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.ingest.contracts import CONTRACTS, TIMESTAMP, TableContract
from orchestration.ingest.sql import folder_glob, literal_path, quote_identifier, sql_string

LINEAGE_COLUMNS = {
    "_row_hash": "bigint",
    "_extra": "varchar",
    "_source_file": "varchar",
    "_source_line": "bigint",
    # The file's delivery time: its modification time (DESIGN §3).
    "_delivered_at": "timestamptz",
    "_load_id": "varchar",
    "_loaded_at": "timestamptz",
    # A delivery of a key loaded before (in an earlier load, or earlier in this one): a key has more
    # than one version exactly when one of its rows says so, so staging orders only those keys.
    "_redelivered": "boolean",
}
# Versions of a key in delivery order (DESIGN §3): a later run's files arrived after an earlier run's;
# within a run, by modification time, then path, then line. dbt's var raw_delivery_order says the same.
DELIVERY_ORDER = ("_load_id", "_delivered_at", "_source_file", "_source_line")
QUARANTINE_COLUMNS = {
    "table_name": "varchar",
    "source_file": "varchar",
    "source_line": "bigint",
    "column_name": "varchar",
    "reason_code": "varchar",
    "reason": "varchar",
    "raw_record": "varchar",  # stays in the raw layer: it may hold fields nobody agreed to publish
    "record_key": "varchar",  # the row's key as it arrived (e.g. the audit_id), when it has one
    "load_id": "varchar",
    "loaded_at": "timestamptz",
}
MANIFEST_COLUMNS = {
    "load_id": "varchar",
    "batch_id": "varchar",
    "table_name": "varchar",
    "source_file": "varchar",
    "landing_root": "varchar",
    "file_format": "varchar",
    "content_hash": "varchar",
    "file_bytes": "bigint",
    "file_mtime_ns": "bigint",
    "status": "varchar",
    "message": "varchar",
    "rows_in_file": "bigint",
    "rows_loaded": "bigint",
    "rows_quarantined": "bigint",
    "rows_duplicate": "bigint",
    "loaded_at": "timestamptz",
}
SCHEMA_FILE = "_schema.parquet"  # a zero-row file so every folder can be globbed from the start


def raw_column_types(contract: TableContract) -> dict[str, str]:
    """Raw Parquet types: instants are stored UTC-adjusted so every engine reads the same instant."""
    types = {c.name: ("timestamptz" if c.type == TIMESTAMP else c.type) for c in contract.columns}
    return types | LINEAGE_COLUMNS


class RawStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def table_dir(self, table: str) -> Path:
        return self.root / table

    @property
    def quarantine_dir(self) -> Path:
        return self.root / "_quarantine"

    @property
    def manifest_dir(self) -> Path:
        return self.root / "_manifest"

    def glob(self, folder: Path) -> str:
        return folder_glob(folder, "*.parquet")

    def prepare(self, con) -> None:
        """Create empty schema files where missing, bring folders written by an earlier version up to
        the current columns, then drop what an interrupted run left behind."""
        folders = {self.table_dir(t): raw_column_types(c) for t, c in CONTRACTS.items()}
        folders[self.quarantine_dir] = QUARANTINE_COLUMNS
        folders[self.manifest_dir] = MANIFEST_COLUMNS
        self.recover()
        for folder, columns in folders.items():
            folder.mkdir(parents=True, exist_ok=True)
            schema = folder / SCHEMA_FILE
            if schema.exists():
                stored = self._column_names(con, schema)
                missing = [c for c in columns if c not in stored]
                if missing:
                    self._upgrade(con, folder, columns, missing)
            if not schema.exists():
                select = ", ".join(f"cast(null as {t}) as {c}" for c, t in columns.items())
                self._copy(con, f"select {select} where false", schema)

    @staticmethod
    def _column_names(con, schema: Path) -> set[str]:
        return {row[0] for row in con.execute(f"describe select * from read_parquet({literal_path(schema)})")
                .fetchall()}

    def _upgrade(self, con, folder: Path, columns: dict[str, str], missing: list[str]) -> None:
        """Add the columns an earlier version did not write. A raw table's `_delivered_at` is its file's
        modification time as the manifest recorded it, and `_redelivered` is recomputed from the lineage
        of every stored delivery; any other new column is empty in old rows. Each file is rewritten in
        place (by rename) and the schema file last, so an interrupted upgrade is redone next run."""
        values = {c: (f"cast(null as {t})" if c in missing else quote_identifier(c)) for c, t in columns.items()}
        if "_delivered_at" in missing:
            values["_delivered_at"] = "make_timestamp(m.file_mtime_ns // 1000)::timestamptz"
        stored = f"read_parquet({self.glob(folder)}, union_by_name = true, filename = true)"
        manifest = f"read_parquet({self.glob(self.manifest_dir)})"
        joined = (f"{stored} as s left join {manifest} as m on m.batch_id = parse_filename(s.filename, true) "
                  "and m.source_file = s._source_file" if "_delivered_at" in missing else f"{stored} as s")
        select = ", ".join(f"{value} as {quote_identifier(c)}" for c, value in values.items())
        con.execute(f"create or replace temp table upgraded as select {select}, s.filename from {joined}")
        if "_redelivered" in missing:
            key = ", ".join(quote_identifier(k) for k in CONTRACTS[folder.name].key)
            con.execute(f"""
                update upgraded set _redelivered = ranked.n > 1
                from (select filename, _source_file, _source_line,
                             row_number() over (partition by {key} order by {', '.join(DELIVERY_ORDER)}) as n
                      from upgraded) as ranked
                where upgraded.filename = ranked.filename and upgraded._source_file = ranked._source_file
                  and upgraded._source_line = ranked._source_line
            """)
        names = ", ".join(quote_identifier(c) for c in columns)
        for path in sorted(folder.glob("*.parquet")):
            if path.name != SCHEMA_FILE:
                self._copy(con, f"select {names} from upgraded where filename = {sql_string(str(path))}", path)
        con.execute("drop table upgraded")
        (folder / SCHEMA_FILE).unlink()

    def has_rows(self, table: str) -> bool:
        """Whether a batch file besides the empty schema file exists for the table (it may hold rows)."""
        return any(p.name != SCHEMA_FILE for p in self.table_dir(table).glob("*.parquet"))

    def committed_batches(self) -> set[str]:
        return {p.stem for p in self.manifest_dir.glob("*.parquet") if p.name != SCHEMA_FILE}

    def recover(self) -> list[Path]:
        committed = self.committed_batches()
        removed = []
        for folder in [self.table_dir(t) for t in CONTRACTS] + [self.quarantine_dir, self.manifest_dir]:
            for path in folder.glob("*"):
                stale_tmp = path.suffix == ".tmp"
                uncommitted = path.suffix == ".parquet" and path.name != SCHEMA_FILE and path.stem not in committed
                if stale_tmp or (uncommitted and folder != self.manifest_dir):
                    path.unlink()
                    removed.append(path)
        return removed

    def manifest(self, con) -> list[dict]:
        cursor = con.execute(f"select * from read_parquet({self.glob(self.manifest_dir)})")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def commit_batch(self, con, batch_id: str, table: str, accepted_sql: str | None, quarantine_sql: str,
                     manifest_sql: str) -> None:
        """Write the batch's files; the manifest goes last and makes the batch visible."""
        if accepted_sql is not None:
            # Every raw row carries its lineage (load, file, line), which is all that orders deliveries, so
            # the file need not keep landing order; without it DuckDB writes in parallel. The rest of
            # ingest relies on the order: put the setting back.
            con.execute("set preserve_insertion_order = false")
            try:
                self._copy(con, accepted_sql, self.table_dir(table) / f"{batch_id}.parquet")
            finally:
                con.execute("reset preserve_insertion_order")
        self._copy(con, quarantine_sql, self.quarantine_dir / f"{batch_id}.parquet")
        self._copy(con, manifest_sql, self.manifest_dir / f"{batch_id}.parquet")

    @staticmethod
    def _copy(con, select_sql: str, target: Path) -> None:
        tmp = target.with_name(target.name + ".tmp")
        con.execute(f"copy ({select_sql}) to {sql_string(str(tmp))} (format parquet)")
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
