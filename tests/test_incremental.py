"""Incremental builds: loading the days a few at a time, with late audits, settled disputes and
resolved appeals arriving in later files, gives the same marts as one full-refresh build over the
same files; and a daily build re-opens only the days the new files touch."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest

from orchestration.dbt_runner import build, run_dbt
from orchestration.generator import generate
from orchestration.incremental import SINCE_ENV
from orchestration.ingest.loader import ingest
from orchestration.project import layout
from orchestration.publish import published_tables
from tests.mart_comparison import assert_same_table

pytestmark = pytest.mark.slow

START = date(2026, 9, 1)
DAYS = 12
CHUNKS = [(0, 6), (7, 8), (9, DAYS - 1)]  # day offsets loaded by each incremental run
# Per-load by nature: one row per load and table, so it differs whenever the loads differ.
LOAD_HISTORY = {("monitoring", "dq_ingest_report")}


def day(offset: int) -> date:
    return START + timedelta(days=offset)


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    landing, daily, full = root / "landing", root / "daily", root / "full"
    generate(landing, days=DAYS, decisions_per_day=250, seed=21, start=START, file_format="parquet")
    reopened = []  # per build: the decision ids it rebuilt, and how many decisions it held
    for number, (first, last) in enumerate(CHUNKS):
        ingest(landing, daily, dates=(day(first), day(last)))
        # dbt's data tests run on the last build only: they check the incremental result, and the
        # earlier builds need not pay for them.
        build(daily, tests=number == len(CHUNKS) - 1)
        con = duckdb.connect(str(layout(daily).build_database), read_only=True)
        rebuilt = {row[0] for row in con.execute("select decision_id from intermediate.int_reopened_decisions")
                   .fetchall()}
        reopened.append((rebuilt, con.execute("select count(*) from marts.fct_decisions").fetchone()[0]))
        con.close()
    ingest(landing, full)
    build(full, full_refresh=True, tests=False)
    return landing, daily, full, reopened


def landed(landing, table: str) -> str:
    """A landing table read straight from its files, with the data date of the file each row came in."""
    return (f"(select *, cast(regexp_extract(filename, '(\\d{{4}}-\\d{{2}}-\\d{{2}})', 1) as date) as file_date "
            f"from read_parquet('{landing}/{table}/*/*.parquet', filename = true))")


def late_audited_decisions(landing, chunk: tuple[int, int]) -> set[str]:
    """Decisions loaded before `chunk` whose audits (or settled disputes) arrive in its files."""
    con = duckdb.connect()
    try:
        rows = con.execute(f"""
            select distinct decision_id
            from {landed(landing, 'audits')} a
            join {landed(landing, 'decisions')} d using (decision_id)
            where a.file_date between ? and ? and d.file_date < ?
        """, [day(chunk[0]), day(chunk[1]), day(chunk[0])]).fetchall()
    finally:
        con.close()
    return {row[0] for row in rows}


def test_late_audits_really_arrive_after_their_decisions_were_built(builds):
    landing, *_ = builds
    for chunk in CHUNKS[1:]:
        assert late_audited_decisions(landing, chunk), f"no late audits in {chunk}: the test proves nothing"


def test_each_daily_build_rebuilds_the_decisions_late_data_touches_and_not_all(builds):
    landing, _, _, reopened = builds
    assert not reopened[0][0]  # the first build has nothing to re-open: it builds everything
    for chunk, (rebuilt, decisions) in zip(CHUNKS[1:], reopened[1:], strict=True):
        missed = late_audited_decisions(landing, chunk) - rebuilt
        assert not missed, f"{chunk}: {len(missed)} late-audited decisions not rebuilt, e.g. {sorted(missed)[:3]}"
        assert len(rebuilt) < decisions / 2, f"{chunk}: rebuilt {len(rebuilt)} of {decisions} decisions"


def test_every_published_mart_equals_the_full_refresh_build(builds):
    _, daily, full, _ = builds
    con = duckdb.connect(str(layout(daily).build_database), read_only=True)
    con.execute(f"attach '{layout(full).build_database}' as full_refresh (read_only)")
    try:
        catalog = con.execute("select current_database()").fetchone()[0]
        tables = [t for t in published_tables(con, catalog) if t not in LOAD_HISTORY]
        assert len(tables) >= 20
        rows = {}
        for schema, table in tables:
            incremental = con.execute(f"select * from {catalog}.{schema}.{table}").df()
            refreshed = con.execute(f"select * from full_refresh.{schema}.{table}").df()
            assert_same_table(f"{schema}.{table}", incremental, refreshed, ("built day by day", "in one full refresh"))
            rows[table] = len(incremental)
    finally:
        con.close()
    assert rows["fct_decisions"] > 2500 and rows["agg_quality_daily"] > 100


def test_the_gate_is_told_the_rebuilt_rows_in_sql_that_runs_on_the_build(builds):
    """int_rebuilt_rows hands the gate dbt's own list of rebuilt rows (macros/rebuilt_rows.sql): every
    condition runs on the build database, and the fct_decisions one selects the re-opened decisions."""
    _, daily, _, reopened = builds
    con = duckdb.connect(str(layout(daily).build_database), read_only=True)
    try:
        scopes = {relation: condition for relation, condition in con.execute(
            "select relation_name, rebuilt_rows_condition from intermediate.int_rebuilt_rows").fetchall()}
        counts = {relation: con.execute(f"select count(*) from {relation} where {condition}").fetchone()[0]
                  for relation, condition in scopes.items()}
        stored = {row[0] for row in con.execute("select decision_id from marts.fct_decisions").fetchall()}
    finally:
        con.close()
    assert {"marts.fct_decisions", "marts.fct_qa_audits", "marts.agg_quality_daily",
            "staging.stg_landing__decisions"} <= set(scopes)
    assert counts["marts.fct_decisions"] == len(reopened[-1][0] & stored) > 0


def test_incremental_data_tests_read_the_rebuilt_rows_and_still_catch_a_defect_there(builds):
    """In an incremental build the large models' row-level and key tests read only the rows it rebuilt
    (macros/get_where_subquery.sql); a duplicate planted among those rows still fails `unique`. Runs last:
    it changes the daily build database, and puts it back."""
    _, daily, _, _ = builds
    database = layout(daily).build_database
    con = duckdb.connect(str(database))
    try:
        assert con.execute("select is_incremental from intermediate.int_build_scope").fetchone()[0]
        since = con.execute("select since_load_id from intermediate.int_build_scope").fetchone()[0]
        planted = con.execute("select min(decision_id) from intermediate.int_reopened_decisions").fetchone()[0]
        con.execute("insert into marts.fct_decisions select * from marts.fct_decisions where decision_id = ?",
                    [planted])
    finally:
        con.close()
    try:
        result = run_dbt(["test", "--select", "fct_decisions,test_name:unique"], daily,
                         extra_env={SINCE_ENV: since})
    finally:
        con = duckdb.connect(str(database))
        con.execute("delete from marts.fct_decisions where rowid = (select max(rowid) from marts.fct_decisions "
                    "where decision_id = ?)", [planted])  # the planted copy: inserted last
        con.close()
    assert [node.name for node in result.failures] == ["unique_fct_decisions_decision_id"]
    compiled = next((layout(daily).dbt_target_dir / "compiled").rglob("unique_fct_decisions_decision_id.sql"))
    assert "int_reopened_decisions" in compiled.read_text()
    # A null key is never filtered away from not_null.
    not_null = next((layout(daily).dbt_target_dir / "compiled").rglob("not_null_fct_decisions_decision_id.sql"))
    assert "decision_id is null or decision_id in" in not_null.read_text()
