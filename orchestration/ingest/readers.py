"""Read a batch of landing files (CSV, Parquet or JSON lines) as text columns with their line numbers.

Every reader produces rows of the same shape, the columns of the temp table `landed`:
    _file_id, _line, <contract columns as VARCHAR>, _extra (JSON of extra columns or NULL),
    _raw (the JSON line for JSON files, else NULL: quarantine rebuilds the record from the columns),
    <column>__native for typed contract columns: the Parquet value when the file already stores that
    type (see NATIVE_TYPES), else NULL
and returns the rows it could not parse at all (with line and reason), so that nothing is dropped.
CSV and JSON rows are staged in `landed`; Parquet rows are read straight into the type checks
(`landed_rows_sql`). Types are checked later, in one place (validation.py), whatever the format.
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.ingest.contracts import BOOLEAN, DATE, DOUBLE, INTEGER, TIMESTAMP, VARCHAR, TableContract
from orchestration.ingest.sql import json_member_path, literal_path, quote_identifier, sql_string

CSV_SUFFIXES = (".csv", ".csv.gz", ".tsv")
PARQUET_SUFFIXES = (".parquet",)
JSON_SUFFIXES = (".jsonl", ".ndjson", ".json", ".jsonl.gz", ".ndjson.gz")
SUPPORTED = CSV_SUFFIXES + PARQUET_SUFFIXES + JSON_SUFFIXES
# Parquet types whose values are exactly what parsing their text as the contract type gives: such
# values are kept as they are, which spares casting them to text and parsing them back.
NATIVE_TYPES = {
    BOOLEAN: ("BOOLEAN",),
    INTEGER: ("BIGINT", "INTEGER", "SMALLINT", "TINYINT"),
    DOUBLE: ("DOUBLE",),
    DATE: ("DATE",),
    TIMESTAMP: ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE"),  # the session time zone is UTC
}


def file_format(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(JSON_SUFFIXES):
        return "jsonl"
    return None


@dataclass
class ParseFailure:
    line: int
    column: str | None
    code: str
    message: str
    raw: str | None


@dataclass
class ReadResult:
    failures: list[ParseFailure] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    file_error: str | None = None  # the file cannot be read at all


def blank_to_null(text: str) -> str:
    """SQL for nullif(trim(text), ''). trim() walks every character through Unicode tables and copies
    the string, which dominated reading; only a value that can change (empty, a space at either end,
    or non-ASCII, where other Unicode spaces live) goes through it."""
    return (f"case when {text} = '' or {text} like ' %' or {text} like '% ' or strlen({text}) <> length({text}) "
            f"then nullif(trim({text}), '') else {text} end")


def native_column(name: str) -> str:
    return f"{name}__native"


def create_landed_table(con, contract: TableContract) -> None:
    columns = ", ".join(f"{quote_identifier(c)} varchar" for c in contract.column_names)
    natives = "".join(f", {quote_identifier(native_column(c.name))} {c.type}"
                      for c in contract.columns if c.type != VARCHAR)
    con.execute(
        f"create or replace temp table landed (_file_id integer, _line bigint, {columns}, "
        f"_extra varchar, _raw varchar{natives})"
    )
    # CSV rows get their line numbers after loading (see finish_line_numbers).
    con.execute("create or replace temp table csv_file_starts (_file_id integer, first_rowid bigint)")
    con.execute("create or replace temp table csv_rejected_lines (_file_id integer, good_before bigint)")


@dataclass
class ParquetRun:
    """Consecutive Parquet files of a batch with one schema: file ids first_id, first_id + 1, ..."""
    first_id: int
    schema: list[tuple[str, str]]  # (column, type)
    paths: list[Path] = field(default_factory=list)


def read_batch(con, paths: list[Path], contract: TableContract) -> tuple[list[ReadResult], list[ParquetRun]]:
    """Read a batch's files (file id = position). CSV and JSON files are read into `landed` now. Of a
    Parquet file only the footer is read here: its rows are read where they are checked (see
    landed_rows_sql), which spares staging them, and a run of files is one statement that DuckDB spreads
    over threads (a daily file is often a single row group)."""
    results: list[ReadResult] = []
    runs: list[ParquetRun] = []
    for file_id, path in enumerate(paths):
        result = _precheck(path)
        if result is None and file_format(path) == "parquet":
            result, schema = _parquet_schema(con, path, contract)
            if schema is not None:
                if not runs or runs[-1].schema != schema or runs[-1].first_id + len(runs[-1].paths) != file_id:
                    runs.append(ParquetRun(file_id, schema))
                runs[-1].paths.append(path)
        elif result is None:
            result = _read_text_file(con, path, file_id, contract)
        results.append(result)
    return results, runs


def landed_rows_sql(runs: list[ParquetRun], file_count: int, contract: TableContract) -> str:
    """The batch's rows as one relation in (_file_id, _line) order: the Parquet runs, and between them
    the CSV and JSON rows staged in `landed` (which holds each file's rows in line order). UNION ALL
    keeps the order of its parts, so `checked` comes out in landing order without a sort."""
    parts, next_id = [], 0
    for run in [*runs, ParquetRun(file_count, [])]:
        if run.first_id > next_id:
            parts.append(f"select * from landed where _file_id between {next_id} and {run.first_id - 1}")
        if run.paths:
            parts.append(_parquet_select(run, contract))
        next_id = run.first_id + len(run.paths)
    return "(" + " union all by name ".join(parts or ["select * from landed"]) + ")"


def land_parquet_files(con, runs: list[ParquetRun], contract: TableContract, results: list[ReadResult]) -> None:
    """Insert the runs' files into `landed` one at a time, after reading them together failed: only a
    damaged file is rejected (a failed statement inserts nothing)."""
    for run in runs:
        for offset, path in enumerate(run.paths):
            single = ParquetRun(run.first_id + offset, run.schema, [path])
            try:
                con.execute(f"insert into landed by name {_parquet_select(single, contract)}")
            except Exception as error:  # duckdb raises a family of errors for unreadable files
                results[single.first_id] = _unreadable("parquet", error)


def _precheck(path: Path) -> ReadResult | None:
    """The result for a file that needs no reading (empty, or UTF-16), else None."""
    if path.stat().st_size == 0:
        return ReadResult()
    with path.open("rb") as handle:
        head = handle.read(4)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return ReadResult(file_error="the file is UTF-16 encoded; save it as UTF-8 and land it again")
    return None


def _unreadable(fmt: str | None, error: Exception) -> ReadResult:
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return ReadResult(file_error=f"cannot be read as {fmt}: {first_line}")


def _read_text_file(con, path: Path, file_id: int, contract: TableContract) -> ReadResult:
    fmt = file_format(path)
    try:
        if fmt == "csv":
            return _read_csv(con, path, file_id, contract)
        return _read_jsonl(con, path, file_id, contract)
    except Exception as error:  # duckdb raises a family of errors for unreadable files
        return _unreadable(fmt, error)


def _missing(contract: TableContract, present: list[str]) -> list[str]:
    present_set = {p.strip().lower() for p in present}
    return [c.name for c in contract.columns if c.required and c.name not in present_set]


def _landed_select(relation: str, file_id: str, contract: TableContract, present: list[str], line_expr: str,
                   types: dict[str, str] | None = None) -> str:
    """A relation's columns (matched case-insensitively) in the shape of `landed`, as text; columns whose
    source type is in NATIVE_TYPES (`types`: source column -> type) are also kept as they are."""
    by_lower = {p.strip().lower(): p for p in present}
    values = []
    for column in contract.columns:
        source = by_lower.get(column.name)
        text = f"cast({quote_identifier(source)} as varchar)" if source else "null"
        values.append(f"{blank_to_null(text) if source else 'null'} as {quote_identifier(column.name)}")
        if source and types and types[source] in NATIVE_TYPES.get(column.type, ()):
            values.append(f"cast({quote_identifier(source)} as {column.type}) "
                          f"as {quote_identifier(native_column(column.name))}")
    extras = [p for p in present if p.strip().lower() not in set(contract.column_names)]
    extra_expr = (
        "to_json(struct_pack(" + ", ".join(f"{quote_identifier(e)} := {quote_identifier(e)}" for e in extras)
        + "))::varchar" if extras else "null"
    )
    return (f"select cast({file_id} as integer) as _file_id, {line_expr} as _line, {', '.join(values)}, "
            f"{extra_expr} as _extra, null as _raw from {relation}")


def _csv_header(path: Path) -> tuple[list[str], str]:
    """Header names and delimiter, read by Python: explicit options make DuckDB skip its sniffer,
    whose fixed cost per file dominated ingest time for daily files."""
    delimiter = "\t" if path.name.lower().endswith(".tsv") else ","
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig", errors="replace", newline="") as handle:
        first = next(csv.reader(handle, delimiter=delimiter), [])
    return [name.strip() for name in first], delimiter


def _read_csv(con, path: Path, file_id: int, contract: TableContract) -> ReadResult:
    present, delimiter = _csv_header(path)
    if not present:
        return ReadResult()
    if len(set(p.lower() for p in present)) != len(present):
        return ReadResult(file_error="the header names a column twice; keep one column per name")
    columns = "{" + ", ".join(f"{sql_string(p)}: 'VARCHAR'" for p in present) + "}"
    options = (
        f"{literal_path(path)}, columns = {columns}, header = true, auto_detect = false, "
        f"delim = {sql_string(delimiter)}, quote = '\"', escape = '\"', strict_mode = true, "
        "store_rejects = true, rejects_table = 'csv_reject_errors', rejects_scan = 'csv_reject_scans'"
    )
    missing = _missing(contract, present)
    con.execute("drop table if exists csv_reject_errors; drop table if exists csv_reject_scans")
    # Rows go straight into `landed`; insertion order is preserved, so their rowids are consecutive
    # in file order from the count before the insert.
    first_rowid = con.execute("select count(*) from landed").fetchone()[0]
    con.execute("insert into csv_file_starts values (?, ?)", [file_id, first_rowid])
    rows = _landed_select(f"read_csv({options})", str(file_id), contract, present, "null")
    con.execute(f"insert into landed by name {rows}")
    # DuckDB logs one error per problem (a short line gives one per missing column): one per line here.
    rejects = con.execute(
        "select line, min(column_name), string_agg(distinct cast(error_type as varchar), ', '), min(csv_line), "
        "string_agg(distinct error_message, '; ') from csv_reject_errors group by line order by line"
    ).fetchall()
    failures = []
    for line, column, error_type, csv_line, message in rejects:
        code = "encoding_error" if "ENCODING" in str(error_type).upper() else "parse_error"
        text = (
            "the line is not valid UTF-8; re-export the file as UTF-8" if code == "encoding_error"
            else f"the line cannot be parsed as CSV ({message})"
        )
        failures.append(ParseFailure(int(line), column, code, text, csv_line))
    # Rejected line r_i (sorted, header is line 1) has g_i = r_i - 2 - (i - 1) good rows before it.
    if rejects:
        con.executemany(
            "insert into csv_rejected_lines values (?, ?)",
            [[file_id, int(line) - 2 - i] for i, (line, *_rest) in enumerate(rejects)],
        )
    # A file missing a required column still stages its rows: they are all quarantined, by line.
    return ReadResult(failures=failures, missing_columns=missing)


def finish_line_numbers(con) -> None:
    """Line of the k-th good CSV row: k + 2 (header, 1-based), plus the rejected lines before it
    (#{i : g_i <= k})."""
    if not con.execute("select count(*) from csv_file_starts").fetchone()[0]:
        return  # no CSV file in the batch: spare the pass over `landed`
    skipped = ""
    if con.execute("select count(*) from csv_rejected_lines").fetchone()[0]:
        skipped = (" + (select count(*) from csv_rejected_lines r where r._file_id = landed._file_id"
                   " and r.good_before <= landed.rowid - s.first_rowid)")
    con.execute(
        f"update landed set _line = landed.rowid - s.first_rowid + 2{skipped} "
        "from csv_file_starts s where landed._file_id = s._file_id"
    )


def _parquet_schema(con, path: Path, contract: TableContract) -> tuple[ReadResult, list[tuple[str, str]] | None]:
    """A Parquet file's result so far and its (column, type) list, read from its footer (None if unreadable)."""
    try:
        rows = con.execute(f"describe select * from read_parquet({literal_path(path)})").fetchall()
    except Exception as error:  # duckdb raises a family of errors for unreadable files
        return _unreadable("parquet", error), None
    schema = [(row[0], row[1]) for row in rows]
    return ReadResult(missing_columns=_missing(contract, [name for name, _ in schema])), schema


def _parquet_select(run: ParquetRun, contract: TableContract) -> str:
    files = ", ".join(literal_path(p) for p in run.paths)
    return _landed_select(f"read_parquet([{files}], file_row_number = true)", f"{run.first_id} + file_index",
                          contract, [name for name, _ in run.schema], "file_row_number + 1", dict(run.schema))


def _read_jsonl(con, path: Path, file_id: int, contract: TableContract) -> ReadResult:
    # One text column per line: the JSON is parsed here, so a bad line is quarantined by its number
    # instead of failing the file (0x1f never occurs unescaped in valid JSON).
    con.execute(
        f"create or replace temp table json_text as select raw from read_csv("
        f"{literal_path(path)}, columns = {{'raw': 'VARCHAR'}}, header = false, delim = '\x1f', "
        "quote = '', escape = '', auto_detect = false)"
    )
    # rowid follows file order because insertion order is preserved.
    con.execute("create or replace temp table json_lines as select rowid + 1 as line, raw from json_text")
    bad = con.execute(
        "select line, raw from json_lines where raw is not null and trim(raw) <> '' "
        "and (not json_valid(raw) or json_type(raw) <> 'OBJECT') order by line"
    ).fetchall()
    failures = [ParseFailure(int(line), None, "parse_error", "the line is not a JSON object", raw)
                for line, raw in bad]
    con.execute(
        "create or replace temp table json_rows as select line, raw from json_lines "
        "where raw is not null and trim(raw) <> '' and json_valid(raw) and json_type(raw) = 'OBJECT'"
    )
    if not failures and not con.execute("select count(*) from json_rows").fetchone()[0]:
        return ReadResult()  # blank lines only: an empty file
    present = [row[0] for row in con.execute(
        "select distinct unnest(json_keys(raw)) from json_rows order by 1").fetchall()]
    missing = _missing(contract, present)
    by_lower = {p.lower(): p for p in present}
    fields = []
    for column in contract.column_names:
        fields.append(f"raw ->> {json_member_path(by_lower.get(column, column))} as {quote_identifier(column)}")
    con.execute(f"create or replace temp table json_fields as select line, raw, {', '.join(fields)} from json_rows")
    extras = [p for p in present if p.lower() not in set(contract.column_names)]
    values = ", ".join(f"{blank_to_null(quote_identifier(c))} as {quote_identifier(c)}" for c in contract.column_names)
    extra_expr = "raw" if extras else "null"
    con.execute(f"insert into landed by name select {file_id} as _file_id, line as _line, {values}, "
                f"{extra_expr} as _extra, raw as _raw from json_fields")
    return ReadResult(failures=failures, missing_columns=missing)
