"""Read one landing file (CSV, Parquet or JSON lines) into text columns with its line numbers.

Every reader produces the same shape in the temp table `landed`:
    _file_id, _line, <contract columns as VARCHAR>, _extra (JSON of extra columns or NULL),
    _raw (the JSON line for JSON files, else NULL: quarantine rebuilds the record from the columns)
and returns the rows it could not parse at all (with line and reason), so that nothing is dropped.
Types are checked later, in one place (validation.py), whatever the format.
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.ingest.contracts import TableContract

CSV_SUFFIXES = (".csv", ".csv.gz", ".tsv")
PARQUET_SUFFIXES = (".parquet",)
JSON_SUFFIXES = (".jsonl", ".ndjson", ".json", ".jsonl.gz", ".ndjson.gz")
SUPPORTED = CSV_SUFFIXES + PARQUET_SUFFIXES + JSON_SUFFIXES


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
    rows: int = 0  # rows added to `landed`
    failures: list[ParseFailure] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    file_error: str | None = None  # the file cannot be read at all

    @property
    def rows_in_file(self) -> int:
        return self.rows + len(self.failures)


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def create_landed_table(con, contract: TableContract) -> None:
    columns = ", ".join(f'"{c}" varchar' for c in contract.column_names)
    con.execute(
        f"create or replace temp table landed (_file_id integer, _line bigint, {columns}, "
        "_extra varchar, _raw varchar)"
    )
    # CSV rows get their line numbers after loading (see finish_line_numbers).
    con.execute("create or replace temp table csv_file_starts (_file_id integer, first_rowid bigint)")
    con.execute("create or replace temp table csv_rejected_lines (_file_id integer, good_before bigint)")


def read_file(con, path: Path, file_id: int, contract: TableContract) -> ReadResult:
    fmt = file_format(path)
    if path.stat().st_size == 0:
        return ReadResult()
    head = path.open("rb").read(4)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return ReadResult(file_error="the file is UTF-16 encoded; save it as UTF-8 and land it again")
    try:
        if fmt == "csv":
            return _read_csv(con, path, file_id, contract)
        if fmt == "parquet":
            return _read_parquet(con, path, file_id, contract)
        return _read_jsonl(con, path, file_id, contract)
    except Exception as error:  # duckdb raises a family of errors for unreadable files
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return ReadResult(file_error=f"cannot be read as {fmt}: {first_line}")


def _missing(contract: TableContract, present: list[str]) -> list[str]:
    present_set = {p.strip().lower() for p in present}
    return [c.name for c in contract.columns if c.required and c.name not in present_set]


def _insert_from(con, relation: str, file_id: int, contract: TableContract, present: list[str],
                 line_expr: str, raw_expr: str) -> int:
    """Copy a relation's columns (matched case-insensitively) into `landed` as text."""
    by_lower = {p.strip().lower(): p for p in present}
    values = []
    for column in contract.column_names:
        source = by_lower.get(column)
        values.append(f'nullif(trim(cast("{source}" as varchar)), \'\')' if source else "null")
    extras = [p for p in present if p.strip().lower() not in set(contract.column_names)]
    extra_expr = (
        "to_json(struct_pack(" + ", ".join(f'"{e}" := "{e}"' for e in extras) + "))::varchar"
        if extras else "null"
    )
    return con.execute(
        f"insert into landed select {file_id}, {line_expr}, {', '.join(values)}, {extra_expr}, {raw_expr} "
        f"from {relation}"
    ).fetchone()[0]


def _csv_header(path: Path) -> tuple[list[str], str]:
    """Header names and delimiter, read by Python: explicit options make DuckDB skip its sniffer,
    which costs ~0.1 s per file and dominated ingest time for daily files."""
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
        f"{sql_string(str(path))}, columns = {columns}, header = true, auto_detect = false, "
        f"delim = {sql_string(delimiter)}, quote = '\"', escape = '\"', strict_mode = true, "
        "store_rejects = true, rejects_table = 'csv_reject_errors', rejects_scan = 'csv_reject_scans'"
    )
    missing = _missing(contract, present)
    con.execute("drop table if exists csv_reject_errors; drop table if exists csv_reject_scans")
    # Rows go straight into `landed`; insertion order is preserved, so their rowids are consecutive
    # in file order from the count before the insert.
    first_rowid = con.execute("select count(*) from landed").fetchone()[0]
    con.execute("insert into csv_file_starts values (?, ?)", [file_id, first_rowid])
    rows = _insert_from(con, f"read_csv({options})", file_id, contract, present, "null", "null")
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
    return ReadResult(rows=rows, failures=failures, missing_columns=missing)


def finish_line_numbers(con) -> None:
    """Line of the k-th good CSV row: k + 2 (header, 1-based), plus the rejected lines before it
    (#{i : g_i <= k})."""
    skipped = ""
    if con.execute("select count(*) from csv_rejected_lines").fetchone()[0]:
        skipped = (" + (select count(*) from csv_rejected_lines r where r._file_id = landed._file_id"
                   " and r.good_before <= landed.rowid - s.first_rowid)")
    con.execute(
        f"update landed set _line = landed.rowid - s.first_rowid + 2{skipped} "
        "from csv_file_starts s where landed._file_id = s._file_id"
    )


def _read_parquet(con, path: Path, file_id: int, contract: TableContract) -> ReadResult:
    source = f"read_parquet({sql_string(str(path))}, file_row_number = true)"
    present = [row[0] for row in con.execute(f"describe select * from read_parquet({sql_string(str(path))})")
               .fetchall()]
    missing = _missing(contract, present)
    rows = _insert_from(con, source, file_id, contract, present, "file_row_number + 1", "null")
    return ReadResult(rows=rows, missing_columns=missing)


def _read_jsonl(con, path: Path, file_id: int, contract: TableContract) -> ReadResult:
    # One text column per line: the JSON is parsed here, so a bad line is quarantined by its number
    # instead of failing the file (0x1f never occurs unescaped in valid JSON).
    con.execute(
        f"create or replace temp table json_text as select raw from read_csv("
        f"{sql_string(str(path))}, columns = {{'raw': 'VARCHAR'}}, header = false, delim = '\x1f', "
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
        key = by_lower.get(column, column).replace('"', '\\"')
        fields.append(f'raw ->> \'$."{key}"\' as "{column}"')
    con.execute(f"create or replace temp table json_fields as select line, raw, {', '.join(fields)} from json_rows")
    extras = [p for p in present if p.lower() not in set(contract.column_names)]
    values = ", ".join(f'nullif(trim("{c}"), \'\')' for c in contract.column_names)
    extra_expr = "raw" if extras else "null"
    rows = con.execute(
        f"insert into landed select {file_id}, line, {values}, {extra_expr}, raw from json_fields").fetchone()[0]
    return ReadResult(rows=rows, failures=failures, missing_columns=missing)
