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
from tests.mart_comparison import compare_builds

pytestmark = pytest.mark.slow

START = date(2026, 9, 1)
DAYS = 12
CHUNKS = [(0, 6), (7, 8), (9, DAYS - 1)]  # day offsets loaded by each incremental run


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
    rows = compare_builds(daily, full)
    assert len(rows) >= 20
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


def test_a_decision_or_audit_corrected_onto_another_item_or_day_leaves_nothing_behind(tmp_path):
    """A correction may move a decision to another item and day, or an audit to another decision. The
    incremental build must rebuild what the old version was stored under too (the old item's first
    decision, the old day's counts, the old decision's verdict), or those rows stay stale."""
    landing, daily, full = tmp_path / "landing", tmp_path / "daily", tmp_path / "full"
    generate(landing, days=4, decisions_per_day=150, seed=8, start=START, file_format="parquet")
    ingest(landing, daily, dates=(day(0), day(2)))
    build(daily, tests=False)
    decisions, audits = landed(landing, "decisions"), landed(landing, "audits")
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        # The first decision of a day-0 item with two decisions or more moves to a day-1 item...
        moved, old_item = con.execute(f"""
            select arg_min(decision_id, decided_at), item_id from {decisions}
            where file_date = '{day(0)}' group by item_id having count(*) >= 2 order by item_id limit 1
        """).fetchone()
        new_item, new_time = con.execute(f"""
            select item_id, min(decided_at) from {decisions} where file_date = '{day(1)}'
            group by item_id order by item_id limit 1
        """).fetchone()
        # ... and an audit of a day-0 decision of another item moves to a day-0 decision audited earlier.
        audit, old_decision, new_decision = con.execute(f"""
            select a.audit_id, a.decision_id, other.decision_id
            from {audits} a join {decisions} d using (decision_id)
            join {decisions} other on other.file_date = '{day(0)}' and other.decided_at <= a.audited_at
                 and other.item_id not in (d.item_id, '{old_item}')
            where d.file_date = '{day(0)}' and a.file_date = '{day(0)}' and d.item_id <> '{old_item}'
            order by a.audit_id, other.decision_id limit 1
        """).fetchone()
        corrections = landing / "decisions" / day(3).isoformat() / "decisions_corrections.parquet"
        con.execute(f"""copy (select * exclude (filename, file_date) replace ('{new_item}' as item_id,
                                  cast('{new_time}' as timestamptz) + interval 1 minute as decided_at)
                              from {decisions} where decision_id = '{moved}') to '{corrections}' (format parquet)""")
        corrections = landing / "audits" / day(3).isoformat() / "audits_corrections.parquet"
        con.execute(f"""copy (select * exclude (filename, file_date) replace ('{new_decision}' as decision_id)
                              from {audits} where audit_id = '{audit}') to '{corrections}' (format parquet)""")
    finally:
        con.close()
    report = ingest(landing, daily)
    assert report.rows_quarantined == 0, [e.reason for t in report.tables for e in t.examples]
    build(daily, tests=False)
    ingest(landing, full)
    build(full, full_refresh=True, tests=False)
    con = duckdb.connect(str(layout(full).build_database), read_only=True)
    try:
        assert con.execute("select item_id from marts.fct_decisions where decision_id = ?", [moved]).fetchone() \
            == (new_item,), "the correction did not load: the test proves nothing"
        assert con.execute("select decision_id from marts.fct_qa_audits where audit_id = ?", [audit]).fetchone() \
            == (new_decision,)
        assert old_decision != new_decision
    finally:
        con.close()
    compare_builds(daily, full)
