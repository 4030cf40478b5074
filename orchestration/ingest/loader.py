"""Ingest landing files into the raw layer: every row is loaded or quarantined with its reason.

Per table (parents first): find files not seen before (by content hash), read them in batches,
type-check them against the contract, separate duplicates and new versions, check rules against
other tables, and commit raw + quarantine + manifest for the batch.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from orchestration.errors import UsageError
from orchestration.ingest.contracts import CONTRACTS, TIMESTAMP, TableContract
from orchestration.ingest.readers import (
    SUPPORTED,
    create_landed_table,
    file_format,
    finish_line_numbers,
    read_file,
    sql_string,
)
from orchestration.ingest.store import MANIFEST_COLUMNS, RawStore
from orchestration.ingest.validation import checked_sql
from orchestration.project import layout

BATCH_BYTES = 2 * 1024**3  # landing bytes per batch: bounds memory on large backfills
DATE_IN_PATH = re.compile(r"(\d{4}-\d{2}-\d{2})")


def data_date(relative_path: str) -> date | None:
    """A file's data date: the last YYYY-MM-DD in its path (a day folder or the file name), if any."""
    for match in reversed(DATE_IN_PATH.findall(relative_path)):
        try:
            return date.fromisoformat(match)
        except ValueError:
            continue
    return None


@dataclass
class LandingFile:
    path: Path
    relative: str
    size: int
    mtime_ns: int
    content_hash: str = ""


@dataclass
class QuarantineExample:
    file: str
    line: int | None
    column: str | None
    reason: str


@dataclass
class TableIngest:
    table: str
    files_new: int = 0
    files_skipped: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    rejected_files: list[tuple[str, str]] = field(default_factory=list)
    duplicate_files: list[tuple[str, str]] = field(default_factory=list)
    examples: list[QuarantineExample] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class IngestReport:
    load_id: str
    tables: list[TableIngest]
    unknown_paths: list[str]

    @property
    def rows_loaded(self) -> int:
        return sum(t.rows_loaded for t in self.tables)

    @property
    def rows_quarantined(self) -> int:
        return sum(t.rows_quarantined for t in self.tables)

    @property
    def files_new(self) -> int:
        return sum(t.files_new for t in self.tables)


def connect(temp_dir: Path | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute("set TimeZone = 'UTC'")
    if temp_dir:
        temp_dir.mkdir(parents=True, exist_ok=True)
        con.execute(f"set temp_directory = {sql_string(str(temp_dir))}")
    if memory_limit:
        con.execute(f"set memory_limit = {sql_string(memory_limit)}")
    return con


def new_load_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def ingest(landing: Path, warehouse: Path, on_table: Callable[[TableIngest], None] | None = None,
           tables: tuple[str, ...] | None = None, dates: tuple[date, date] | None = None) -> IngestReport:
    """Load new landing files. With `dates` (first, last), only files whose data date falls in that
    range, plus files with no date in their path (a partitioned run still picks those up)."""
    landing = Path(landing).resolve()
    if not landing.is_dir():
        raise UsageError(f"landing folder {landing} does not exist; create it or pass --landing")
    lay = layout(warehouse)
    store = RawStore(lay.raw)
    con = connect(lay.temp_dir)
    try:
        store.prepare(con)
        manifest = store.manifest(con)
        load_id = new_load_id()
        reports = []
        for table in tables or tuple(CONTRACTS):
            started = time.perf_counter()
            report = _ingest_table(con, store, CONTRACTS[table], landing, manifest, load_id, dates)
            report.seconds = time.perf_counter() - started
            reports.append(report)
            if on_table:
                on_table(report)
        return IngestReport(load_id, reports, _unknown_paths(landing))
    finally:
        con.close()


def _unknown_paths(landing: Path) -> list[str]:
    return sorted(p.name for p in landing.iterdir() if p.name not in CONTRACTS and not p.name.startswith("."))


def discover(folder: Path, landing: Path) -> list[LandingFile]:
    if not folder.is_dir():
        return []
    files = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
        stat = path.stat()
        files.append(LandingFile(path, path.relative_to(landing).as_posix(), stat.st_size, stat.st_mtime_ns))
    return files


def content_hash(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def in_window(relative_path: str, dates: tuple[date, date] | None) -> bool:
    if dates is None:
        return True
    day = data_date(relative_path)
    return day is None or dates[0] <= day <= dates[1]


def _already_seen(manifest: list[dict], table: str) -> set[tuple[str, int, int]]:
    return {(m["source_file"], m["file_bytes"], m["file_mtime_ns"]) for m in manifest if m["table_name"] == table}


def pending_files(landing: Path, warehouse: Path) -> list[tuple[str, LandingFile]]:
    """(table, file) for landing files not recorded in the manifest, judged by path, size and
    modification time only (no hashing): cheap enough for a sensor."""
    landing = Path(landing).resolve()
    store = RawStore(layout(warehouse).raw)
    manifest = []
    if store.manifest_dir.exists() and any(store.manifest_dir.glob("*.parquet")):
        con = connect()
        try:
            manifest = store.manifest(con)
        finally:
            con.close()
    pending = []
    for table in CONTRACTS:
        seen = _already_seen(manifest, table)
        pending += [(table, f) for f in discover(landing / table, landing)
                    if (f.relative, f.size, f.mtime_ns) not in seen]
    return pending


def _ingest_table(con, store: RawStore, contract: TableContract, landing: Path, manifest: list[dict],
                  load_id: str, dates: tuple[date, date] | None = None) -> TableIngest:
    report = TableIngest(contract.name)
    seen_stat = _already_seen(manifest, contract.name)
    seen_hash = {m["content_hash"]: m["source_file"] for m in manifest
                 if m["table_name"] == contract.name and m["status"] != "rejected"}
    new, special = [], []
    for landed in discover(landing / contract.name, landing):
        if not in_window(landed.relative, dates):
            continue
        if (landed.relative, landed.size, landed.mtime_ns) in seen_stat:
            report.files_skipped += 1
            continue
        landed.content_hash = content_hash(landed.path)
        if landed.content_hash in seen_hash:
            first = seen_hash[landed.content_hash]
            message = f"identical to {first}, already loaded; not loaded again"
            special.append((landed, "duplicate_file", message))
            report.duplicate_files.append((landed.relative, message))
        elif not landed.path.name.lower().endswith(SUPPORTED):
            message = "not a supported file type (use .csv, .parquet or .jsonl); nothing loaded"
            special.append((landed, "rejected", message))
            report.rejected_files.append((landed.relative, message))
        else:
            seen_hash[landed.content_hash] = landed.relative
            new.append(landed)
    batch_number = 0
    if special:
        _commit_file_events(con, store, contract, landing, special, load_id, batch_number)
        batch_number += 1
    for batch in _batches(new):
        _load_batch(con, store, contract, landing, batch, load_id, batch_number, report)
        batch_number += 1
    report.files_new = len(new) + len(special)
    return report


def _batches(files: list[LandingFile]) -> list[list[LandingFile]]:
    batches, current, size = [], [], 0
    for landed in files:
        if current and size + landed.size > BATCH_BYTES:
            batches.append(current)
            current, size = [], 0
        current.append(landed)
        size += landed.size
    return batches + ([current] if current else [])


def _manifest_select(rows: list[dict]) -> str:
    def literal(value, type_):
        if value is None:
            return f"cast(null as {type_})"
        if type_ in ("bigint",):
            return f"cast({int(value)} as bigint)"
        if type_ == "timestamptz":
            return f"cast({sql_string(value)} as timestamptz)"
        return sql_string(str(value))

    selects = [
        "select " + ", ".join(f"{literal(row.get(c), t)} as {c}" for c, t in MANIFEST_COLUMNS.items())
        for row in rows
    ]
    return " union all ".join(selects)


def _file_event(landed: LandingFile, contract: TableContract, landing: Path, load_id: str, batch_id: str,
                status: str, message: str | None, loaded_at: str, **counts) -> dict:
    return {
        "load_id": load_id, "batch_id": batch_id, "table_name": contract.name, "source_file": landed.relative,
        "landing_root": str(landing), "file_format": file_format(landed.path) or "unknown",
        "content_hash": landed.content_hash, "file_bytes": landed.size, "file_mtime_ns": landed.mtime_ns,
        "status": status, "message": message, "loaded_at": loaded_at, **counts,
    }


def _commit_file_events(con, store, contract, landing, events, load_id, batch_number) -> None:
    batch_id = f"{load_id}-{contract.name}-{batch_number:04d}"
    loaded_at = datetime.now(UTC).isoformat()
    rows = [_file_event(f, contract, landing, load_id, batch_id, status, message, loaded_at,
                        rows_in_file=None, rows_loaded=0, rows_quarantined=0, rows_duplicate=0)
            for f, status, message in events]
    empty_quarantine = f"select * from read_parquet({store.glob(store.quarantine_dir)}) where false"
    store.commit_batch(con, batch_id, contract.name, None, empty_quarantine, _manifest_select(rows))


def _load_batch(con, store: RawStore, contract: TableContract, landing: Path, batch: list[LandingFile],
                load_id: str, batch_number: int, report: TableIngest) -> None:
    batch_id = f"{load_id}-{contract.name}-{batch_number:04d}"
    loaded_at = datetime.now(UTC).isoformat()
    create_landed_table(con, contract)
    con.execute("create or replace temp table parse_failures (_file_id integer, _line bigint, "
                "column_name varchar, reason_code varchar, reason varchar, raw_record varchar)")
    con.execute("create or replace temp table batch_files (_file_id integer, source_file varchar)")
    results, rejected_columns = {}, {}
    for file_id, landed in enumerate(batch):
        con.execute("insert into batch_files values (?, ?)", [file_id, landed.relative])
        result = read_file(con, landed.path, file_id, contract)
        results[file_id] = result
        if result.missing_columns:
            rejected_columns[file_id] = result.missing_columns
        if result.failures:
            con.executemany(
                "insert into parse_failures values (?, ?, ?, ?, ?, ?)",
                [[file_id, f.line, f.column, f.code, f.message, f.raw] for f in result.failures],
            )
    finish_line_numbers(con)
    con.execute(checked_sql(contract, rejected_columns))
    _classify(con, store, contract)

    accepted_sql = _accepted_select(contract, load_id, loaded_at)
    quarantine_sql = _quarantine_select(contract, load_id, loaded_at)
    counts = {row[0]: row[1:] for row in con.execute("""
        select f._file_id,
               (select count(*) from classified c where c._file_id = f._file_id and c._outcome = 'loaded'),
               (select count(*) from classified c where c._file_id = f._file_id and c._outcome <> 'loaded')
               + (select count(*) from parse_failures p where p._file_id = f._file_id),
               (select count(*) from classified c where c._file_id = f._file_id
                                                   and c._reason_code = 'duplicate_identical')
        from batch_files f
    """).fetchall()}
    events = []
    for file_id, landed in enumerate(batch):
        result = results[file_id]
        loaded, quarantined, duplicate = counts[file_id]
        if result.file_error:
            status, message = "rejected", result.file_error
            report.rejected_files.append((landed.relative, message))
        elif result.missing_columns:
            status = "rejected"
            message = f"required column {', '.join(result.missing_columns)} is missing; every row quarantined"
            report.rejected_files.append((landed.relative, message))
        elif result.rows_in_file == 0:
            status, message = "empty", "the file holds no rows"
        else:
            status, message = "loaded", None
        events.append(_file_event(
            landed, contract, landing, load_id, batch_id, status, message, loaded_at,
            rows_in_file=None if result.file_error else result.rows_in_file, rows_loaded=loaded,
            rows_quarantined=quarantined, rows_duplicate=duplicate,
        ))
        report.rows_loaded += loaded
        report.rows_quarantined += quarantined
        report.rows_duplicate += duplicate
    report.examples += [QuarantineExample(*row) for row in con.execute(
        f"select source_file, source_line, column_name, reason from ({quarantine_sql}) "
        "where reason_code <> 'duplicate_identical' order by source_file, source_line limit 5"
    ).fetchall()]
    store.commit_batch(con, batch_id, contract.name, accepted_sql, quarantine_sql, _manifest_select(events))


def _key_columns(contract: TableContract) -> str:
    return ", ".join(f'"{k}"' for k in contract.key)


def _classify(con, store: RawStore, contract: TableContract) -> None:
    """Decide each checked row's outcome: loaded, or quarantined with code and message."""
    key = _key_columns(contract)
    raw_glob = store.glob(store.table_dir(contract.name))
    key_text = " || ', ' || ".join(f"cast(s.\"{k}\" as varchar)" for k in contract.key)
    con.execute(f"""
        create or replace temp table latest_existing as
        select {key}, arg_max(_row_hash, (_load_id, _source_file, _source_line)) as _row_hash
        from read_parquet({raw_glob}) semi join (select {key} from checked where _errors is null) using ({key})
        group by all
    """)
    cross_checks = []
    for index, rule in enumerate(contract.cross_rules):
        other_glob = store.glob(store.table_dir(rule.other_table))
        con.execute(f"""
            create or replace temp table cross_{index} as
            select "{rule.join_column}" as _join_key, {rule.other_value} as other
            from read_parquet({other_glob})
            semi join (select "{rule.join_column}" from checked where _errors is null) using ("{rule.join_column}")
            group by all
        """)
        cross_checks.append((index, rule))
    cross_joins = " ".join(
        f'left join cross_{i} on cross_{i}._join_key = s."{r.join_column}"' for i, r in cross_checks
    )

    def in_row(sql: str, index: int) -> str:
        return sql.replace("{other}", f"cross_{index}.other")

    cross_cases = " ".join(
        f"when {in_row(r.violation, i)} then 'cross_table_rule'" for i, r in cross_checks
    )
    cross_messages = " ".join(
        f"when {in_row(r.violation, i)} then {in_row(r.message, i)}" for i, r in cross_checks
    )
    cross_columns = " ".join(
        f"when {in_row(r.violation, i)} then '{r.column}'" for i, r in cross_checks
    )
    con.execute(f"""
        create or replace temp table classified as
        with repeated_keys as (  -- only keys delivered more than once in this batch need ordering
            select {key} from checked where _errors is null group by all having count(*) > 1
        ), sequenced as (
            select c.*,
                   lag(_row_hash) over w as _prev_hash,
                   lag(_file_id) over w as _prev_file,
                   lag(_line) over w as _prev_line
            from checked c semi join repeated_keys using ({key})
            where _errors is null
            window w as (partition by {key} order by _file_id, _line)
            union all by name
            select c.*, null as _prev_hash, null as _prev_file, null as _prev_line
            from checked c anti join repeated_keys using ({key})
            where _errors is null
        ), judged as (
            select s.*,
                   case when coalesce(s._prev_hash, e._row_hash) = s._row_hash then 'duplicate_identical'
                        when s._prev_file = s._file_id then 'duplicate_conflict'
                        {cross_cases}
                   end as _reason_code,
                   case when coalesce(s._prev_hash, e._row_hash) = s._row_hash
                             then 'identical to a row already loaded for {", ".join(contract.key)} ' || {key_text}
                                  || '; the re-delivery is not loaded again'
                        when s._prev_file = s._file_id
                             then '{", ".join(contract.key)} ' || {key_text} || ' appears earlier in this file (line '
                                  || s._prev_line || ') with different values; keep one row per key'
                        {cross_messages}
                   end as _reason,
                   case when coalesce(s._prev_hash, e._row_hash) = s._row_hash
                          or s._prev_file = s._file_id then '{contract.key[0]}'
                        {cross_columns}
                   end as _reason_column
            from sequenced s
            left join latest_existing e using ({key})
            {cross_joins}
        )
        select * exclude (_prev_hash, _prev_file, _prev_line),
               case when _reason_code is null then 'loaded' else 'quarantined' end as _outcome
        from judged
        union all by name
        select c.*, _errors[1].code as _reason_code,
               array_to_string(list_transform(_errors, lambda e: e.message), '; ') as _reason,
               _errors[1].column as _reason_column, 'quarantined' as _outcome
        from checked c
        where _errors is not null
    """)


def _accepted_select(contract: TableContract, load_id: str, loaded_at: str) -> str:
    columns = ", ".join(
        f'cast(c."{col.name}" as timestamptz) as "{col.name}"' if col.type == TIMESTAMP else f'c."{col.name}"'
        for col in contract.columns
    )
    return f"""
        select {columns}, (c._row_hash % 9223372036854775807)::bigint as _row_hash, c._extra,
               f.source_file as _source_file, c._line as _source_line, {sql_string(load_id)} as _load_id,
               cast({sql_string(loaded_at)} as timestamptz) as _loaded_at
        from classified c join batch_files f using (_file_id)
        where c._outcome = 'loaded'
        order by c._file_id, c._line
    """


def _record_json(contract: TableContract) -> str:
    """A valid row quarantined as a duplicate or by a cross-table rule, as JSON of its typed values."""
    fields = ", ".join(f'"{c}" := "{c}"' for c in contract.column_names)
    return f"to_json(struct_pack({fields}))::varchar"


def _quarantine_select(contract: TableContract, load_id: str, loaded_at: str) -> str:
    return f"""
        select {sql_string(contract.name)} as table_name, f.source_file, q.source_line, q.column_name,
               q.reason_code, q.reason, q.raw_record, {sql_string(load_id)} as load_id,
               cast({sql_string(loaded_at)} as timestamptz) as loaded_at
        from (
            select _file_id, _line as source_line, _reason_column as column_name, _reason_code as reason_code,
                   _reason as reason, coalesce(_raw, {_record_json(contract)}) as raw_record
            from classified where _outcome <> 'loaded'
            union all
            select _file_id, _line, column_name, reason_code, reason, raw_record from parse_failures
        ) q
        join batch_files f using (_file_id)
        order by f.source_file, q.source_line
    """
