"""A failed dbt data test, told as a person can act on it: the table, the rule, one offending row and,
through lineage, the landing file and line it came from.

dbt reports a failing test by its generated name and a count. Here the test's own SQL (compiled_code in
run_results.json) is run again on the build database for one offending row, and the staging model of the
row's most specific key (an audit before its decision, a decision before its item) says where it landed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb

from orchestration.ingest.sql import quote_identifier

# Landing tables whose staging model carries source_file/source_line, most specific key first: a failing
# audit row also names its decision and item, but the audit is what was delivered wrong.
LINEAGE_KEYS = (("audits", "audit_id"), ("appeals", "appeal_id"), ("decisions", "decision_id"),
                ("items", "item_id"))
SHOWN_COLUMNS = 6
SHOWN_TESTS = 5


def failed_tests(target_dir: Path) -> list[dict]:
    """The results of data tests that found rows, from the last dbt invocation in `target_dir`."""
    path = target_dir / "run_results.json"
    if not path.exists():
        return []
    results = json.loads(path.read_text())["results"]
    return [r for r in results if r["unique_id"].startswith("test.") and r["status"] == "fail"]


def explain_failed_tests(target_dir: Path, build_database: Path) -> list[str]:
    """One paragraph per failed data test (at most SHOWN_TESTS)."""
    failures = failed_tests(target_dir)
    if not failures:
        return []
    nodes = json.loads((target_dir / "manifest.json").read_text())["nodes"]
    lines = []
    con = duckdb.connect(str(build_database), read_only=True)
    try:
        for result in failures[:SHOWN_TESTS]:
            lines.append(_explain(con, result, nodes.get(result["unique_id"], {}), nodes))
    finally:
        con.close()
    if len(failures) > SHOWN_TESTS:
        lines.append(f"… and {len(failures) - SHOWN_TESTS} more failed data tests")
    return lines


def _explain(con, result: dict, test: dict, nodes: dict) -> str:
    model = nodes.get(test.get("attached_node") or "", {})
    table = f"{model['schema']}.{model['name']}" if model else "?"
    rule = _rule(test)
    count = result.get("failures") or "some"
    text = f"{table}: {rule} — {count} row(s) break it"
    row = _offending_row(con, result.get("compiled_code") or "")
    if row is None:
        return text
    text += f"; e.g. {_describe_row(row, test)}"
    for key, value, (file, line) in _landing_origins(con, row):
        text += f"\n    {key} {value} was delivered in landing file {file} line {line}"
    return text + "\n    Fix the wrong value at the source and land the corrected row again (a later delivery wins)."


def _rule(test: dict) -> str:
    metadata = test.get("test_metadata") or {}
    kwargs = metadata.get("kwargs") or {}
    arguments = kwargs.get("expression") or kwargs.get("column_name") or ""
    name = metadata.get("name") or test.get("name", "a data test")
    described = (test.get("description") or "").strip()
    named = f"{name}({' '.join(str(arguments).split())})" if arguments else name
    return f"{described} [{named}]" if described else named


def _offending_row(con, compiled_sql: str) -> dict | None:
    if not compiled_sql.strip():
        return None
    try:
        cursor = con.execute(f"select * from ({compiled_sql}) as failing limit 1")
        values = cursor.fetchone()
    except duckdb.Error:
        return None
    return dict(zip([d[0] for d in cursor.description], values, strict=True)) if values else None


def _describe_row(row: dict, test: dict) -> str:
    """The row's keys, then the columns the rule names: enough to find it, short enough to read."""
    mentioned = " ".join(str(v) for v in ((test.get("test_metadata") or {}).get("kwargs") or {}).values())
    words = set(re.findall(r"[a-z_][a-z0-9_]*", mentioned.lower()))
    keys = [c for c in row if c.endswith("_id")]
    named = [c for c in row if c in words and c not in keys]
    shown = (keys + named)[:SHOWN_COLUMNS] or list(row)[:SHOWN_COLUMNS]
    return ", ".join(f"{c}={row[c]}" for c in shown)


def _landing_origins(con, row: dict) -> list[tuple[str, object, tuple[str, int]]]:
    """Where each of the row's keys was delivered (its latest version), most specific key first."""
    origins = []
    for table, key in LINEAGE_KEYS:
        if row.get(key) is None:
            continue
        found = con.execute(f"select source_file, source_line from staging.{quote_identifier('stg_landing__' + table)}"
                            f" where {quote_identifier(key)} = ? limit 1", [row[key]]).fetchone()
        if found:
            origins.append((key, row[key], (str(found[0]), int(found[1]))))
    return origins
