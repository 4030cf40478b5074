"""The gate on an incremental build: the row-level checks of the large incremental tables run on the rows
the build rebuilt, the table-level ones on the whole table, and only when the build it was based on
passed the gate (expectations/scope.py)."""

from __future__ import annotations

import re
import shutil

import duckdb
import pytest

from expectations.gate import validate
from expectations.scope import read_scopes
from expectations.suites import suites
from orchestration.incremental import BuildState, write_state
from orchestration.project import layout
from tests.test_gate import NO_FRESHNESS_LIMIT

pytestmark = pytest.mark.slow
SINCE, THROUGH = "20990101T000000000000Z", "20990102T000000000000Z"  # the previous build's loads, this one's
TABLES = ("marts.fct_decisions", "marts.agg_quality_daily", "staging.stg_landing__decisions")


@pytest.fixture(scope="module")
def incremental_build(built_warehouse, tmp_path_factory):
    """A copy of the small build made incremental: the previous build (through SINCE) passed the gate,
    this one rebuilt the last day's decisions, and defects are planted in and outside the rebuilt rows."""
    root = tmp_path_factory.mktemp("incremental_gate")
    database, gx_dir = root / "build" / "build.duckdb", root / "gx"
    database.parent.mkdir()
    shutil.copy(layout(built_warehouse).build_database, database)
    write_state(database.parent, BuildState(built_through=THROUGH, validated_through=SINCE))
    con = duckdb.connect(str(database))
    con.execute(f"""
        create or replace table intermediate.int_build_scope as
            select '{SINCE}' as since_load_id, true as is_incremental;
        create or replace table intermediate.int_reopened_decisions as
            select item_id, decision_id, decision_date from marts.fct_decisions
            where decision_date = (select max(decision_date) from marts.fct_decisions);
        create or replace table intermediate.int_reopened_days as
            select distinct decision_date from intermediate.int_reopened_decisions;
        create or replace table intermediate.int_rebuilt_rows as
            select * from (values
                ('fct_decisions', 'marts.fct_decisions', 'decision', 'decision_id', 'decision_date'),
                ('agg_quality_daily', 'marts.agg_quality_daily', 'day', 'decision_date', null),
                ('stg_landing__decisions', 'staging.stg_landing__decisions', 'delivery', 'decision_id', null),
                ('dq_orphans', 'monitoring.dq_orphans', 'orphan', null, null)
            ) as scopes (model_name, relation_name, reopened_by, reopened_column, reopened_on_day);
        update staging.stg_landing__decisions set load_id = '{SINCE}';
        update staging.stg_landing__decisions set load_id = '{THROUGH}'
            where decision_id in (select decision_id from intermediate.int_reopened_decisions);
    """)
    rebuilt = "select min(decision_id) from intermediate.int_reopened_decisions"
    untouched = "decision_date = (select min(decision_date) from marts.fct_decisions)"
    con.execute(f"""
        -- rebuilt rows: a null key, an out-of-range rate on a re-opened day, a key delivered twice
        update marts.fct_decisions set decision_id = null where decision_id = ({rebuilt});
        update marts.agg_quality_daily set precision = 1.5 where rowid = (
            select min(rowid) from marts.agg_quality_daily where precision is not null
            and decision_date in (select decision_date from intermediate.int_reopened_days));
        insert into staging.stg_landing__decisions select * from staging.stg_landing__decisions
            where decision_id = (select max(decision_id) from intermediate.int_reopened_decisions);
        -- untouched rows: a negative duration (not rebuilt, so not this build's doing), a lost decision
        update marts.fct_decisions set handle_seconds = -5
            where rowid = (select min(rowid) from marts.fct_decisions where {untouched});
        delete from marts.fct_decisions where rowid = (select max(rowid) from marts.fct_decisions where {untouched});
    """)
    con.close()
    return database, gx_dir


def _failures(result) -> dict[tuple[str, str], str]:
    return {(o.check.table, o.check.name): o.line for o in result.outcomes if not o.success}


def test_a_full_build_is_validated_whole(built_warehouse):
    assert read_scopes(layout(built_warehouse).build_database, suites()) == {}


def test_an_incremental_build_checks_rows_on_the_rebuilt_rows_and_tables_whole(incremental_build):
    database, gx_dir = incremental_build
    checks = {table: checks for table, checks in suites(NO_FRESHNESS_LIMIT).items() if table in TABLES}
    result = validate(database, gx_dir, checks_by_table=checks)
    failures = _failures(result)
    assert set(failures) == {
        ("marts.fct_decisions", "decision_id_not_null"),  # a rebuilt row
        ("marts.agg_quality_daily", "precision_between_0_and_1"),  # a re-opened day
        ("staging.stg_landing__decisions", "latest_version_unique"),  # a newly delivered key, twice
        ("marts.fct_decisions", "decisions_reconcile_across_layers"),  # whole table: a row lost outside the scope
    }
    # Failure messages name table, column and the observed value (re-run at the BASIC result format).
    assert failures[("marts.fct_decisions", "decision_id_not_null")].endswith(
        "marts.fct_decisions.decision_id · decision_id_not_null: 1 unexpected rows, e.g. null")
    assert failures[("marts.agg_quality_daily", "precision_between_0_and_1")].endswith(
        "marts.agg_quality_daily.precision · precision_between_0_and_1: 1 unexpected rows, e.g. 1.5")
    assert re.search(r"latest_version_unique: 1 decision_id values in more than one row, e.g. \"\S+\" in 2 rows$",
                     failures[("staging.stg_landing__decisions", "latest_version_unique")])
    assert re.search(r"1 unexpected rows, e.g. \{\"fact_rows\": \d+, \"mart_decisions\": \d+",
                     failures[("marts.fct_decisions", "decisions_reconcile_across_layers")])
    summaries = {suite.table: suite.summary() for suite in result.suites}
    assert all("row checks on rebuilt rows only" in summaries[table] for table in TABLES)
    assert re.search(r"rebuilt rows only: [\d,]+ of [\d,]+\)$", summaries["marts.fct_decisions"])


def test_a_build_on_one_that_did_not_pass_the_gate_is_validated_whole(incremental_build, tmp_path):
    database, gx_dir = incremental_build
    copy = tmp_path / "build" / database.name
    copy.parent.mkdir()
    shutil.copy(database, copy)
    database = copy
    write_state(database.parent, BuildState(built_through=THROUGH))  # the previous build failed the gate
    checks = {table: checks for table, checks in suites(NO_FRESHNESS_LIMIT).items() if table in TABLES}
    result = validate(database, gx_dir, checks_by_table=checks)
    failures = _failures(result)
    assert {("marts.fct_decisions", "counts_and_durations_non_negative"),  # the untouched row
            ("marts.fct_decisions", "handle_time_plausible")} <= set(failures)
    assert failures[("marts.fct_decisions", "handle_time_plausible")].endswith("1 unexpected rows, e.g. -5")
    assert not any(suite.scope for suite in result.suites)
