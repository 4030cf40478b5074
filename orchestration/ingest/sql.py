"""The only ways a value from outside the code reaches SQL text: as a string literal, as a quoted
identifier, or as a path that names one file. Column and field names, file and folder names all come
from input, so every one of them goes through these functions (DuckDB runs several statements per call:
an unquoted name could end ours and start another)."""

from __future__ import annotations

from pathlib import Path

# DuckDB expands these in file paths (read_csv, read_parquet, ...); inside brackets each stands for itself.
GLOB_CHARACTERS = "[*?"


def sql_string(value: str) -> str:
    """A SQL string literal holding `value` exactly."""
    return "'" + value.replace("'", "''") + "'"


def quote_identifier(name: str) -> str:
    """A SQL identifier (column, struct field, table) naming `name` exactly, whatever it contains."""
    return '"' + name.replace('"', '""') + '"'


def json_member_path(key: str) -> str:
    """A SQL literal for the JSONPath of one top-level member named `key`, whatever the name holds."""
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return sql_string(f'$."{escaped}"')


def escape_glob(path: str) -> str:
    """`path` as a glob pattern that matches only itself: each glob character in brackets."""
    return "".join(f"[{c}]" if c in GLOB_CHARACTERS else c for c in path)


def literal_path(path: Path | str) -> str:
    """A SQL literal for a file path that DuckDB reads as that one file, never as a pattern."""
    return sql_string(escape_glob(str(path)))


def folder_glob(folder: Path | str, pattern: str) -> str:
    """A SQL literal for `pattern` (e.g. *.parquet) inside `folder`, whose own name is taken literally."""
    return sql_string(escape_glob(str(folder)) + "/" + pattern)
