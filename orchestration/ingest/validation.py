"""Type and check landed text rows against the contract, in one SQL statement per batch.

Output temp table `checked`, in the row order of `landed`: the typed contract columns, lineage
(_file_id, _line, _extra, _raw), `_row_hash` (fingerprint of the typed values, for duplicate
detection) and the row's verdict: `_reason_code`, `_reason` and `_reason_column` are NULL for a good
row, else name its first problem's code and column and every problem found in that row (classification
in loader.py later sets them on good rows it quarantines, and sets `_redelivered` on the good rows whose
key was loaded before).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from orchestration.ingest.contracts import (
    BOOLEAN,
    DATE,
    DOUBLE,
    INTEGER,
    PROGRAMME_START,
    TIMESTAMP,
    VARCHAR,
    Column,
    TableContract,
)
from orchestration.ingest.readers import native_column
from orchestration.ingest.sql import sql_string
from orchestration.project import seed_values

EXPECTED = {
    BOOLEAN: "true or false",
    INTEGER: "a whole number",
    DOUBLE: "a number",
    DATE: "a date like 2026-10-01",
    TIMESTAMP: "an ISO-8601 timestamp like 2026-10-01T08:15:00Z",
}


@dataclass(frozen=True)
class Plausible:
    """The period a date or instant must fall in: from the programme start to a day after the load."""

    latest: datetime  # UTC, naive
    earliest: date = PROGRAMME_START

    @classmethod
    def at_load(cls, load_time: datetime) -> Plausible:
        return cls(latest=load_time.astimezone(UTC).replace(tzinfo=None) + timedelta(days=1))


def typed_expression(column: Column) -> str:
    text = f'"raw__{column.name}"'
    if column.type == VARCHAR:
        return f"lower({text})" if column.allowed else text
    if column.type == TIMESTAMP:
        # Offsets are converted to UTC; text without one is read as UTC (the session time zone).
        parsed = f"cast(try_cast({text} as timestamptz) as timestamp)"
    else:
        parsed = f"try_cast({text} as {column.type})"
    # A value the reader kept in its own type is what parsing its text would give (readers.NATIVE_TYPES).
    return f'coalesce("{native_column(column.name)}", {parsed})'


def _error(column: str, code: str, message_sql: str) -> str:
    return f"{{'column': {sql_string(column)}, 'code': {sql_string(code)}, 'message': {message_sql}}}"


def _quoted_value(column: Column) -> str:
    return f"{sql_string(column.name + ' = ')} || '''' || \"raw__{column.name}\" || ''''"


def column_checks(column: Column, plausible: Plausible) -> list[tuple[str, str]]:
    """(condition, error struct) pairs for one column; conditions read raw__<col> and typed <col>."""
    name, text = column.name, f'"raw__{column.name}"'
    typed = f'"{column.name}"'
    checks = []
    if column.required:
        message = sql_string(f"{name} is empty; it is required")
        checks.append((f"{text} is null", _error(name, "missing_value", message)))
    if column.type in EXPECTED:
        checks.append((
            f"{text} is not null and {typed} is null",
            _error(name, "bad_type", f"{_quoted_value(column)} || {sql_string(' is not ' + EXPECTED[column.type])}"),
        ))
    if column.allowed:
        allowed = ", ".join(sql_string(v) for v in column.allowed)
        checks.append((
            f"{typed} is not null and {typed} not in ({allowed})",
            _error(name, "bad_value",
                   f"{_quoted_value(column)} || {sql_string(' is not one of ' + ', '.join(column.allowed))}"),
        ))
    if column.pattern:
        checks.append((
            f"{text} is not null and not regexp_full_match({text}, {sql_string(column.pattern)})",
            _error(name, "bad_value", f"{_quoted_value(column)} || {sql_string(' is not ' + column.hint)}"),
        ))
    if column.type == DOUBLE:  # 'nan' and 'inf' parse as doubles, and would poison every sum
        checks.append((
            f"not isfinite({typed})",
            _error(name, "bad_type", f"{_quoted_value(column)} || {sql_string(' is not a finite number')}"),
        ))
    if column.minimum is not None:
        checks.append((
            f"{typed} < {column.minimum!r}",
            _error(name, "out_of_range",
                   f"{_quoted_value(column)} || {sql_string(f' is below the minimum {column.minimum:g}')}"),
        ))
    if column.maximum is not None:
        checks.append((
            f"{typed} > {column.maximum!r}",
            _error(name, "out_of_range",
                   f"{_quoted_value(column)} || {sql_string(f' is above the maximum {column.maximum:g}')}"),
        ))
    if column.type in (DATE, TIMESTAMP):
        checks.extend(_period_checks(column, plausible))
    if column.reference:
        seed, seed_column = column.reference
        known = ", ".join(sql_string(v) for v in seed_values(seed, seed_column))
        checks.append((
            f"{typed} is not null and {typed} not in ({known})",
            _error(name, "unknown_reference",
                   f"{_quoted_value(column)} || "
                   f"{sql_string(f' is not in seeds/{seed}.csv; add it there or fix the file')}"),
        ))
    return checks


def _period_checks(column: Column, plausible: Plausible) -> list[tuple[str, str]]:
    """A date or instant outside the plausible period (a 2099 typo, 'infinity') would stretch every
    calendar built from the data and break sums downstream: quarantine it here, by file and line."""
    typed = f'"{column.name}"'
    latest = plausible.latest.date() if column.type == DATE else plausible.latest
    latest_text = latest.isoformat() if column.type == DATE else f"{latest.isoformat(timespec='seconds')}Z"
    checks = [(
        f"{typed} > cast({sql_string(latest.isoformat())} as {column.type})",
        _error(column.name, "implausible", f"{_quoted_value(column)} || "
               + sql_string(f" is after the load time + 1 day ({latest_text}); fix the value at the source")),
    )]
    if column.since_programme_start:
        start = plausible.earliest.isoformat()
        checks.append((
            f"{typed} < cast({sql_string(start)} as {column.type})",
            _error(column.name, "implausible", f"{_quoted_value(column)} || " + sql_string(
                f" is before the programme start {start} (dbt var programme_start); fix the value, or move "
                "programme_start earlier if the programme really started before")),
        ))
    return checks


def checked_sql(contract: TableContract, rejected_files: dict[int, list[str]], source: str = "landed",
                plausible: Plausible | None = None) -> str:
    """SQL creating temp table `checked` from the batch's rows, `source` (shaped like temp table `landed`);
    dates and instants must fall in the `plausible` period (by default, around the present)."""
    plausible = plausible or Plausible.at_load(datetime.now(UTC))
    raw_columns = ", ".join(f'"{c}" as "raw__{c}"' for c in contract.column_names)
    typed_columns = ", ".join(f'{typed_expression(c)} as "{c.name}"' for c in contract.columns)
    checks: list[tuple[str, str]] = []
    for file_id, missing in sorted(rejected_files.items()):
        message = (
            f"the file has no column {', '.join(missing)} (required); the whole file is rejected: "
            "add the column and land the file again"
        )
        checks.append((f"_file_id = {file_id}", _error(missing[0], "missing_column", sql_string(message))))
    for column in contract.columns:
        checks.extend(column_checks(column, plausible))
    for rule in contract.rules:
        checks.append((f"coalesce({rule.violation}, false)",
                       _error(rule.column, "rule_violation", sql_string(rule.message))))
    any_error = " or ".join(f"({condition})" for condition, _ in checks)
    error_list = ", ".join(f"case when {condition} then {error} end" for condition, error in checks)
    names = ", ".join(f'"{c}"' for c in contract.column_names)
    raw_record = ", ".join(f'"{c}" := "raw__{c}"' for c in contract.column_names)
    natives = "".join(f', "{native_column(c.name)}"' for c in contract.columns if c.type != VARCHAR)
    return f"""
        create or replace temp table checked as
        with source as (
            select _file_id, _line, _extra, _raw, {raw_columns}{natives} from {source}
        ), typed as (
            select *, {typed_columns} from source
        ), errors as (
            select _file_id, _line, _extra,
                   coalesce(_raw, case when {any_error} then to_json(struct_pack({raw_record}))::varchar end) as _raw,
                   {names},
                   hash(row({names})) as _row_hash,
                   case when {any_error} then list_filter([{error_list}], lambda e: e is not null) end as _errors
            from typed
        )
        select * exclude (_errors), _errors[1].code as _reason_code,
               array_to_string(list_transform(_errors, lambda e: e.message), '; ') as _reason,
               _errors[1].column as _reason_column, false as _redelivered
        from errors
    """
