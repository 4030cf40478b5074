"""The Great Expectations gate: a suite per published mart and per raw/staging table that matters;
every check passes on a sound build and fails on a build that breaks its rule."""

from __future__ import annotations

import json
import re

import duckdb
import pytest

from expectations.checks import BLOCKING, WARNING, Check
from expectations.contracts import is_gate_owned_test
from expectations.gate import Target, run_suites, validate
from expectations.suites import GateSettings, all_checks, suites
from orchestration.incremental import read_state
from orchestration.project import layout
from orchestration.publish import published_tables

pytestmark = pytest.mark.slow
NO_FRESHNESS_LIMIT = GateSettings(freshness_hours=24 * 365 * 100)  # the test data is from 2026-09


def test_every_published_table_has_a_suite_with_schema_and_severities(built_warehouse):
    con = duckdb.connect(str(layout(built_warehouse).published_database), read_only=True)
    tables = {f"{schema}.{table}" for schema, table in published_tables(con, "warehouse")}
    con.close()
    by_table = suites()
    assert tables <= set(by_table)
    for table in tables:
        assert any(c.name == "schema_and_types" for c in by_table[table]), table
    checks = all_checks()
    assert {c.severity for c in checks} == {BLOCKING, WARNING}
    assert len({(c.table, c.name) for c in checks}) == len(checks)


def test_dbt_leaves_to_the_gate_only_the_rules_the_gate_checks(built_warehouse):
    """One owner per rule: every test `dbt build` skipped on DuckDB (the marts', and the staged landing keys')
    is a check of the gate (same table, same columns, same value set or interval), and dbt ran every other
    data test of the project."""
    target = layout(built_warehouse).dbt_target_dir
    nodes = json.loads((target / "manifest.json").read_text())["nodes"]
    ran = {result["unique_id"] for result in json.loads((target / "run_results.json").read_text())["results"]}
    tests = {uid: node for uid, node in nodes.items() if node["resource_type"] == "test"}
    skipped = {uid: node for uid, node in tests.items() if uid not in ran}
    assert set(skipped) == {uid for uid, node in tests.items() if is_gate_owned_test(node)}
    assert "test.modqa.unique_stg_landing__decisions_decision_id" in {uid.rsplit(".", 1)[0] for uid in skipped}
    gate = {(c.table, c.kind, c.columns or (c.column,), c.values) for c in all_checks()}
    for uid, node in skipped.items():
        metadata = node["test_metadata"]
        assert is_gate_owned_test(node), uid
        model = nodes[node["attached_node"]]
        table, kwargs = f"{model['schema']}.{model['name']}", metadata["kwargs"]
        where = node["config"].get("where")
        if where and where != "__rebuilt_rows__":  # a uniqueness over some rows: the gate's query says which
            columns = tuple(kwargs.get("combination_of_columns") or [kwargs["column_name"]])
            assert any(c.table == table and c.kind == "rows" and f" where {where} " in c.sql
                       and c.columns == columns for c in all_checks()), uid
            continue
        if metadata["name"] == "unique":
            expected = [(table, "unique", (kwargs["column_name"],), ())]
        elif metadata["name"] == "unique_combination_of_columns":
            expected = [(table, "unique", tuple(kwargs["combination_of_columns"]), ())]
        elif metadata["name"] == "not_null":
            expected = [(table, "not_null", (kwargs["column_name"],), ())]
        elif metadata["name"] == "accepted_values":
            expected = [(table, "in_set", (kwargs["column_name"],), tuple(kwargs["values"]))]
        else:
            triple = (kwargs["rate"], kwargs["low"], kwargs["high"])
            assert any(c.table == table and c.columns == triple for c in all_checks()), uid
            continue
        assert set(expected) <= gate, uid


def test_a_sound_build_passes_every_check(built_warehouse, tmp_path):
    result = validate(layout(built_warehouse).build_database, tmp_path / "gx", NO_FRESHNESS_LIMIT)
    failed = [o.line for o in result.outcomes if not o.success]
    assert failed == []
    assert len(result.outcomes) == len(all_checks())
    assert result.docs_index is not None and result.docs_index.exists()
    state = read_state(layout(built_warehouse).build_dir)  # the next, incremental build may be scoped on it
    assert state.validated_through is not None and state.validated_through == state.built_through


def _scratch_database(build, path, table, also_reads):
    """A small database with a copy of the checked table and the relations its rule also reads
    (views over the raw Parquet layer stay views)."""
    con = duckdb.connect(str(path))
    con.execute(f"attach '{build}' as build (read_only)")
    for relation in sorted({table, *also_reads}):
        schema, name = relation.split(".")
        con.execute(f"create schema if not exists {schema}")
        view = con.execute("select sql from duckdb_views() where database_name = 'build' and schema_name = ? "
                           "and view_name = ?", [schema, name]).fetchone()
        if view and relation != table:
            con.execute(view[0])
        else:
            con.execute(f"create table {relation} as select * from build.{relation}")
    if con.execute(f"select count(*) from {table}").fetchone()[0] == 0:
        _insert_filler_row(con, table)  # nothing to break in an empty table (e.g. no orphans today)
    con.execute("detach build")
    return con


FILLER = {"VARCHAR": "'x'", "BIGINT": "1", "DOUBLE": "0.5", "BOOLEAN": "false", "DATE": "current_date",
          "TIMESTAMP": "cast(now() as timestamp)", "TIMESTAMP WITH TIME ZONE": "now()"}


def _insert_filler_row(con, table):
    schema, name = table.split(".")
    types = con.execute("select data_type from information_schema.columns where table_catalog = current_database() "
                        "and table_schema = ? and table_name = ? order by ordinal_position", [schema, name]).fetchall()
    con.execute(f"insert into {table} values ({', '.join(FILLER[t] for (t,) in types)})")


def test_every_check_fails_on_a_build_that_breaks_it(built_warehouse, tmp_path):
    build = layout(built_warehouse).build_database
    checks = all_checks(NO_FRESHNESS_LIMIT)
    targets = []
    # One scratch database per check, so that breaking one rule cannot mask another.
    for index, check in enumerate(checks):
        path = tmp_path / f"scratch_{index}.duckdb"
        con = _scratch_database(build, path, check.table, check.also_reads)
        con.execute(check.breaking())
        con.close()
        targets.append(Target(path, check.table, (check,)))
    result = run_suites(targets, tmp_path / "gx", build_docs=False)
    assert len(result.outcomes) == len(checks)
    failures_seen = {(o.check.table, o.check.name): (o.success, o.observed) for o in result.outcomes}
    survived = {key: value for key, value in failures_seen.items() if value[0]}
    assert survived == {}, f"checks that did not fail on broken data: {survived}"
    unevaluated = {k: v for k, v in failures_seen.items() if "could not be evaluated" in v[1]}
    assert unevaluated == {}, "a check must fail on the data, not on an error"
    # The checkpoint runs at BOOLEAN_ONLY; the failures are re-run for what their messages show.
    without_evidence = {k: v for k, v in failures_seen.items() if not re.search(r"\d", v[1])}
    assert without_evidence == {}, "a failure message shows the count or value observed"


@pytest.mark.parametrize(("keys", "passes", "evidence"), [
    ([], True, ""),  # an empty batch, e.g. a daily run's new decisions when none arrived
    ([None, None], True, ""),  # nulls are the not_null check's to judge
    (["a", "b", None, None], True, ""),
    (["a", "b", "b", "c", "c", "c"], False, '2 key values in more than one row, e.g. "c" in 3 rows'),
])
def test_uniqueness_is_judged_on_the_non_null_values(tmp_path, keys, passes, evidence):
    database = tmp_path / "scratch.duckdb"
    con = duckdb.connect(str(database))
    con.execute("create schema s; create table s.t (key varchar)")
    for key in keys:
        con.execute("insert into s.t values (?)", [key])
    con.close()
    check = Check("key_unique", "s.t", "unique", columns=("key",))
    (outcome,) = run_suites([Target(database, "s.t", (check,))], tmp_path / "gx", build_docs=False).outcomes
    assert (outcome.success, outcome.observed) == (passes, evidence)
