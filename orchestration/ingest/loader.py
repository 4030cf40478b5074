"""Ingest landing files into the raw layer: every row is loaded or quarantined with its reason.

Per table (parents first): find files not seen before (by content hash), read them in batches,
type-check them against the contract, separate duplicates and new versions, check rules against
other tables, and commit raw + quarantine + manifest for the batch.
"""

from __future__ import annotations

import hashlib
import os
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
    land_parquet_files,
    landed_rows_sql,
    read_batch,
)
from orchestration.ingest.sql import escape_glob, quote_identifier, sql_string
from orchestration.ingest.store import DELIVERY_ORDER, MANIFEST_COLUMNS, RawStore
from orchestration.ingest.validation import Plausible, checked_sql
from orchestration.project import layout, restrict_access

# A batch is read, checked and written as a whole: its row count bounds the memory ingest needs (with
# MEMORY_LIMIT, DuckDB spills beyond it, which is slow). Text files are sized by bytes, at a small row.
ROWS_PER_BATCH = 12_000_000
TEXT_BYTES_PER_ROW = 64
MEMORY_LIMIT = "3GB"
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
    skipped_files: list[tuple[str, str]] = field(default_factory=list)  # deliveries still in progress
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
    # DuckDB turns `x in (<constants>)` into a join, which does not keep row order (see _accepted_select);
    # the lists (seed values) are short, so evaluating them in place costs nothing.
    con.execute("set disabled_optimizers = 'in_clause'")
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
    restrict_access(lay)
    store = RawStore(lay.raw)
    con = connect(lay.temp_dir, memory_limit=MEMORY_LIMIT)
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


# Deliveries still being written (DESIGN §3): write to such a name, then rename to the final name.
IN_PROGRESS_SUFFIXES = (".tmp", ".part")


def is_in_progress(name: str) -> bool:
    return name.startswith(".") or name.lower().endswith(IN_PROGRESS_SUFFIXES)


@dataclass
class Discovery:
    """A table folder's content: deliveries in delivery order (modification time, then path; DESIGN §3),
    deliveries still in progress (skipped), and links that are not followed (rejected, with why)."""

    files: list[LandingFile] = field(default_factory=list)
    in_progress: list[LandingFile] = field(default_factory=list)
    links: list[tuple[LandingFile, str]] = field(default_factory=list)


def _landing_file(path: Path, landing: Path, follow: bool = True) -> LandingFile:
    stat = path.stat() if follow else path.lstat()
    return LandingFile(path, path.relative_to(landing).as_posix(), stat.st_size, stat.st_mtime_ns)


def _link_problem(path: Path, landing: Path) -> str | None:
    """Why a symbolic link is not followed, or None for a link to a file inside the landing folder."""
    target = path.resolve()
    if not target.is_relative_to(landing):
        return (f"a symbolic link to {target}, outside the landing folder: not followed; copy the file into "
                "the landing folder instead")
    if target.is_dir():
        return "a symbolic link to a folder: not followed; land the files in the folder itself"
    return None


def discover(folder: Path, landing: Path) -> Discovery:
    found = Discovery()
    if not folder.is_dir():
        return found
    for root, folders, names in os.walk(folder):  # never descends into linked folders
        base = Path(root)
        for name in [*folders, *names]:
            path = base / name
            if path.is_symlink():
                problem = _link_problem(path, landing)
                if problem:
                    found.links.append((_landing_file(path, landing, follow=False), problem))
                    continue
            if not path.is_file():
                continue
            landed = _landing_file(path, landing)
            (found.in_progress if is_in_progress(name) else found.files).append(landed)
    found.files.sort(key=lambda f: (f.mtime_ns, f.relative))
    found.in_progress.sort(key=lambda f: f.relative)
    return found


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
        found = discover(landing / table, landing)
        pending += [(table, f) for f in [*found.files, *(link for link, _ in found.links)]
                    if (f.relative, f.size, f.mtime_ns) not in seen]
    return pending


def _ingest_table(con, store: RawStore, contract: TableContract, landing: Path, manifest: list[dict],
                  load_id: str, dates: tuple[date, date] | None = None) -> TableIngest:
    report = TableIngest(contract.name)
    seen_stat = _already_seen(manifest, contract.name)
    seen_hash = {m["content_hash"]: m["source_file"] for m in manifest
                 if m["table_name"] == contract.name and m["status"] not in ("rejected", "in_progress")}
    new, special = [], []
    found = discover(landing / contract.name, landing)
    for landed, message in found.links:
        if (landed.relative, landed.size, landed.mtime_ns) not in seen_stat:
            special.append((landed, "rejected", message))
            report.rejected_files.append((landed.relative, message))
    for landed in found.in_progress:
        if (landed.relative, landed.size, landed.mtime_ns) not in seen_stat:
            message = "a delivery in progress (a name starting with '.' or ending in .tmp/.part): skipped"
            special.append((landed, "in_progress", message))
            report.skipped_files.append((landed.relative, message))
    for landed in found.files:
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
    for batch in _batches(new, [_estimated_rows(con, f) for f in new]):
        _load_batch(con, store, contract, landing, batch, load_id, batch_number, report)
        batch_number += 1
    report.files_new = len(new) + len(special) - len(report.skipped_files)
    return report


def _estimated_rows(con, landed: LandingFile) -> int:
    if file_format(landed.path) != "parquet":
        return landed.size // TEXT_BYTES_PER_ROW
    try:  # the footer says
        return con.execute("select sum(num_rows) from parquet_file_metadata(?)",
                           [escape_glob(str(landed.path))]).fetchone()[0] or 0
    except duckdb.Error:
        return 0  # unreadable: rejected when read


def _batches(files: list[LandingFile], rows: list[int]) -> list[list[LandingFile]]:
    batches, current, total = [], [], 0
    for landed, file_rows in zip(files, rows, strict=True):
        if current and total + file_rows > ROWS_PER_BATCH:
            batches.append(current)
            current, total = [], 0
        current.append(landed)
        total += file_rows
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
    con.execute("create or replace temp table batch_files as "
                "select unnest(?::integer[]) as _file_id, unnest(?::varchar[]) as source_file",
                [list(range(len(batch))), [f.relative for f in batch]])
    results, parquet_runs = read_batch(con, [f.path for f in batch], contract)
    failures = [[file_id, f.line, f.column, f.code, f.message, f.raw]
                for file_id, result in enumerate(results) for f in result.failures]
    con.execute("create or replace temp table parse_failures (_file_id integer, _line bigint, "
                "column_name varchar, reason_code varchar, reason varchar, raw_record varchar)")
    if failures:
        con.executemany("insert into parse_failures values (?, ?, ?, ?, ?, ?)", failures)
    finish_line_numbers(con)
    rejected_columns = {i: r.missing_columns for i, r in enumerate(results) if r.missing_columns}
    plausible = Plausible.at_load(datetime.fromisoformat(loaded_at))
    try:
        con.execute(checked_sql(contract, rejected_columns, landed_rows_sql(parquet_runs, len(batch), contract),
                                plausible))
    except duckdb.Error:
        if not parquet_runs:
            raise
        # A Parquet file damaged beyond its footer fails the statement: read the files one at a time so
        # that only that file is rejected.
        land_parquet_files(con, parquet_runs, contract, results)
        con.execute(checked_sql(contract, rejected_columns, "(select * from landed order by _file_id, _line)",
                                plausible))
    con.execute("drop table landed")  # `checked` holds all it had: free the memory for what follows
    _classify(con, store, contract)

    counts = {row[0]: row[1:] for row in con.execute("""
        select _file_id, count(*), count(*) filter (where _reason_code is null),
               count(*) filter (where _reason_code = 'duplicate_identical')
        from checked group by _file_id
    """).fetchall()}
    events = []
    for file_id, (landed, result) in enumerate(zip(batch, results, strict=True)):
        rows, loaded, duplicate = counts.get(file_id, (0, 0, 0))
        rows_in_file = rows + len(result.failures)
        quarantined = rows_in_file - loaded
        if result.file_error:
            status, message = "rejected", result.file_error
            report.rejected_files.append((landed.relative, message))
        elif result.missing_columns:
            status = "rejected"
            message = f"required column {', '.join(result.missing_columns)} is missing; every row quarantined"
            report.rejected_files.append((landed.relative, message))
        elif rows_in_file == 0:
            status, message = "empty", "the file holds no rows"
        else:
            status, message = "loaded", None
        events.append(_file_event(
            landed, contract, landing, load_id, batch_id, status, message, loaded_at,
            rows_in_file=None if result.file_error else rows_in_file, rows_loaded=loaded,
            rows_quarantined=quarantined, rows_duplicate=duplicate,
        ))
        report.rows_loaded += loaded
        report.rows_quarantined += quarantined
        report.rows_duplicate += duplicate
    quarantine_sql = _quarantine_select(contract, load_id, loaded_at)
    report.examples += [QuarantineExample(*row) for row in con.execute(
        f"select source_file, source_line, column_name, reason from ({quarantine_sql}) "
        "where reason_code <> 'duplicate_identical' order by source_file, source_line limit 5"
    ).fetchall()]
    accepted_sql = _accepted_select(contract, batch, load_id, loaded_at)
    store.commit_batch(con, batch_id, contract.name, accepted_sql, quarantine_sql, _manifest_select(events))
    con.execute("drop table checked")


def _key_columns(contract: TableContract) -> str:
    return ", ".join(f'"{k}"' for k in contract.key)


def _classify(con, store: RawStore, contract: TableContract) -> None:
    """Quarantine the good rows of `checked` that must not load: a repeated key (identical to the latest
    version, or in conflict within one file) or a broken rule against another table. Those rows (few)
    are judged into `verdicts` and their reason is written back into `checked`, the one table the batch
    is then written from."""
    key = _key_columns(contract)
    key_text = " || ', ' || ".join(f"cast(s.\"{k}\" as varchar)" for k in contract.key)
    good = "(select * from checked where _reason_code is null)"
    if store.has_rows(contract.name):
        stored = f"(select * from {_raw_rows(store, contract.name)} semi join (select {key} from {good}) using ({key}))"
        latest = _latest_delivered(stored, key, "_row_hash", "_row_hash")
    else:  # the first load: a join with nothing would still hash every key of the batch
        latest = f"select {key}, cast(null as bigint) as _row_hash from checked limit 0"
    con.execute(f"create or replace temp table latest_existing as {latest}")
    # Only keys delivered more than once in this batch need ordering.
    con.execute(f"""
        create or replace temp table repeated_keys as
        select {key} from {good} group by all having count(*) > 1
    """)
    for index, rule in enumerate(contract.cross_rules):
        others = (f'(select "{rule.join_column}" as _join_key, * from {_raw_rows(store, rule.other_table)} '
                  f'semi join (select "{rule.join_column}" from {good}) using ("{rule.join_column}"))')
        values = (_latest_delivered(others, "_join_key", rule.other_value, "other") if rule.of_latest_delivery
                  else f"select _join_key, {rule.other_value} as other from {others} group by all")
        con.execute(f"create or replace temp table cross_{index} as {values}")
    rules = list(enumerate(contract.cross_rules))
    cross_joins = " ".join(f'left join cross_{i} on cross_{i}._join_key = s."{r.join_column}"' for i, r in rules)

    def in_row(sql: str, index: int) -> str:
        return sql.replace("{other}", f"cross_{index}.other")

    cross_cases = " ".join(f"when {in_row(r.violation, i)} then 'cross_table_rule'" for i, r in rules)
    cross_messages = " ".join(f"when {in_row(r.violation, i)} then {in_row(r.message, i)}" for i, r in rules)
    cross_columns = " ".join(f"when {in_row(r.violation, i)} then '{r.column}'" for i, r in rules)
    # Same values as the previous delivery of the key in this batch or else as its latest loaded version
    # (whose hash the raw layer holds in its stored form).
    identical = f"coalesce(s._prev_hash = s._row_hash, e._row_hash = {_stored_hash('s._row_hash')})"
    work_tables = ["repeated_keys", "latest_existing", *(f"cross_{i}" for i, _ in rules)]
    if not any(con.execute(f"select exists (from {table})").fetchone()[0] for table in work_tables):
        _drop(con, work_tables)  # no row can be a repeat or break a rule: all good rows load
        return
    con.execute(f"""
        create or replace temp table verdicts as
        with sequenced as (
            select c.*,
                   lag(_row_hash) over w as _prev_hash,
                   lag(_file_id) over w as _prev_file,
                   lag(_line) over w as _prev_line
            from {good} c semi join repeated_keys using ({key})
            window w as (partition by {key} order by _file_id, _line)
            union all by name
            select c.*, null as _prev_hash, null as _prev_file, null as _prev_line
            from {good} c anti join repeated_keys using ({key})
        ), judged as (
            select s._file_id, s._line,
                   case when {identical} then 'duplicate_identical'
                        when s._prev_file = s._file_id then 'duplicate_conflict'
                        {cross_cases}
                   end as _reason_code,
                   case when {identical}
                             then 'identical to a row already loaded for {", ".join(contract.key)} ' || {key_text}
                                  || '; the re-delivery is not loaded again'
                        when s._prev_file = s._file_id
                             then '{", ".join(contract.key)} ' || {key_text} || ' appears earlier in this file (line '
                                  || s._prev_line || ') with different values; keep one row per key'
                        {cross_messages}
                   end as _reason,
                   case when {identical}
                          or s._prev_file = s._file_id then '{contract.key[0]}'
                        {cross_columns}
                   end as _reason_column
            from sequenced s
            left join latest_existing e using ({key})
            {cross_joins}
        )
        select * from judged where _reason_code is not null
    """)
    if con.execute("select count(*) from verdicts").fetchone()[0]:
        con.execute("""
            update checked set _reason_code = v._reason_code, _reason = v._reason, _reason_column = v._reason_column
            from verdicts v where checked._file_id = v._file_id and checked._line = v._line
        """)
    _mark_redeliveries(con, contract)
    _drop(con, [*work_tables, "verdicts"])


def _mark_redeliveries(con, contract: TableContract) -> None:
    """Set `_redelivered` on the loading rows whose key was loaded before: in an earlier batch
    (`latest_existing`) or by an earlier loading row of this batch. Each key then has exactly one row
    without the flag, its first loaded delivery."""
    key = _key_columns(contract)
    loading = "(select * from checked where _reason_code is null)"
    con.execute(f"""
        update checked set _redelivered = true
        from (
            select _file_id, _line from {loading} semi join latest_existing using ({key})
            union
            select _file_id, _line from (
                select _file_id, _line, row_number() over (partition by {key} order by _file_id, _line) as n
                from {loading} semi join repeated_keys using ({key})
            ) where n > 1
        ) as later
        where checked._file_id = later._file_id and checked._line = later._line
    """)


def _latest_delivered(rows: str, key: str, value: str, name: str) -> str:
    """Per key of `rows` (raw rows with lineage, all of each key's rows), `value` in its latest delivery
    (DELIVERY_ORDER). A key has more than one delivery exactly when
    one of its rows is flagged `_redelivered`, so only those keys are ordered (the flag is about the
    raw table's own key: `key` must be it). The staging models do the same in dbt (latest_version)."""
    return f"""
        with hits as materialized (
            select {key}, {value} as _value, {', '.join(DELIVERY_ORDER)}, _redelivered from {rows}
        ), repeated as materialized (
            select distinct {key} from hits where _redelivered
        )
        select {key}, _value as {name} from hits anti join repeated using ({key})
        union all
        select {key}, arg_max(_value, ({', '.join(DELIVERY_ORDER)})) as {name}
        from hits semi join repeated using ({key})
        group by {key}
    """


def _drop(con, tables: list[str]) -> None:
    for table in tables:
        con.execute(f"drop table {table}")  # free its memory for what follows


def _raw_rows(store: RawStore, table: str) -> str:
    """A table's raw rows; when it has none yet, a relation that is empty up front. (A join with it still
    hashes the other side's keys: `_classify` skips the lookup of a table's own first load outright.)"""
    rows = f"read_parquet({store.glob(store.table_dir(table))})"
    return rows if store.has_rows(table) else f"(select * from {rows} limit 0)"


def _stored_hash(column: str) -> str:
    """A row hash (UBIGINT) as the raw layer stores it: a BIGINT, which every engine reads."""
    return f"({column} % 9223372036854775807)::bigint"


def _accepted_select(contract: TableContract, batch: list[LandingFile], load_id: str, loaded_at: str) -> str:
    """The batch's loaded rows with their lineage (file, line, load)."""
    columns = ", ".join(
        f'cast(c."{col.name}" as timestamptz) as "{col.name}"' if col.type == TIMESTAMP else f'c."{col.name}"'
        for col in contract.columns
    )
    file_names = "[" + ", ".join(sql_string(f.relative) for f in batch) + "]"
    delivered = "[" + ", ".join(f"make_timestamp({f.mtime_ns // 1000})::timestamptz" for f in batch) + "]"
    return f"""
        select {columns}, {_stored_hash('c._row_hash')} as _row_hash, c._extra,
               {file_names}[c._file_id + 1] as _source_file, c._line as _source_line,
               {delivered}[c._file_id + 1] as _delivered_at,
               {sql_string(load_id)} as _load_id, cast({sql_string(loaded_at)} as timestamptz) as _loaded_at,
               c._redelivered
        from checked c
        where c._reason_code is null
    """


def _record_json(contract: TableContract) -> str:
    """A valid row quarantined as a duplicate or by a cross-table rule, as JSON of its typed values."""
    fields = ", ".join(f'"{c}" := "{c}"' for c in contract.column_names)
    return f"to_json(struct_pack({fields}))::varchar"


def _record_key(contract: TableContract) -> str:
    """A quarantined row's key as text (parts joined by ', '), NULL when a part is missing: what BI may
    see of the row (its raw record, which may hold private fields, stays in the raw layer)."""
    parts = " || ', ' || ".join(f"cast({quote_identifier(k)} as varchar)" for k in contract.key)
    return f"({parts})"


def _quarantine_select(contract: TableContract, load_id: str, loaded_at: str) -> str:
    return f"""
        select {sql_string(contract.name)} as table_name, f.source_file, q.source_line, q.column_name,
               q.reason_code, q.reason, q.raw_record, q.record_key, {sql_string(load_id)} as load_id,
               cast({sql_string(loaded_at)} as timestamptz) as loaded_at
        from (
            select _file_id, _line as source_line, _reason_column as column_name, _reason_code as reason_code,
                   _reason as reason, coalesce(_raw, {_record_json(contract)}) as raw_record,
                   {_record_key(contract)} as record_key
            from checked where _reason_code is not null
            union all
            select _file_id, _line, column_name, reason_code, reason, raw_record, null from parse_failures
        ) q
        join batch_files f using (_file_id)
        order by f.source_file, q.source_line
    """
