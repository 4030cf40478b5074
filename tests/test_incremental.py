"""Incremental builds: loading the days a few at a time, with late audits, settled disputes and
resolved appeals arriving in later files, gives the same marts as one full-refresh build over the
same files; and a daily build re-opens only the days the new files touch."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta

import duckdb
import pytest

from expectations.scope import rebuilt_rows_predicate
from orchestration.dbt_child import shim_options
from orchestration.dbt_runner import build, dbt_executable, run_dbt
from orchestration.generator import generate
from orchestration.incremental import SINCE_ENV, incremental_env
from orchestration.ingest.loader import ingest
from orchestration.project import PROJECT_DIR, layout
from orchestration.publish import publish
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
    publications = []  # per build: its publish, the day folders it shares with the one before, its re-opened days
    for number, (first, last) in enumerate(CHUNKS):
        ingest(landing, daily, dates=(day(first), day(last)))
        # dbt's data tests run on the last build only: they check the incremental result, and the
        # earlier builds need not pay for them.
        build(daily, tests=number == len(CHUNKS) - 1)
        con = duckdb.connect(str(layout(daily).build_database), read_only=True)
        rebuilt = {row[0] for row in con.execute("select decision_id from intermediate.int_reopened_decisions")
                   .fetchall()}
        reopened.append((rebuilt, con.execute("select count(*) from marts.fct_decisions").fetchone()[0]))
        days = {row[0] for row in con.execute(
            "select cast(decision_date as varchar) from intermediate.int_reopened_days").fetchall()}
        con.close()
        before = layout(daily).parquet_dir.resolve() if number else None
        result = publish(daily)
        publications.append((result, linked_days(before, result.parquet.resolve()), days))
    ingest(landing, full)
    build(full, full_refresh=True, tests=False)
    return landing, daily, full, reopened, publications


def linked_days(before, after) -> dict[tuple[str, str], bool]:
    """Per (fact, day folder) of a publication: whether its files are the previous publication's own
    (the same inodes: hard-linked, not written again)."""
    linked = {}
    for table in ("fct_decisions", "fct_qa_audits"):
        for folder in (after / table).iterdir():
            previous = before / table / folder.name if before else None
            linked[(table, folder.name.split("=", 1)[1])] = bool(previous) and all(
                (previous / f.name).exists() and f.stat().st_ino == (previous / f.name).stat().st_ino
                for f in folder.iterdir())
    return linked


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
    landing, _, _, reopened, _ = builds
    assert not reopened[0][0]  # the first build has nothing to re-open: it builds everything
    for chunk, (rebuilt, decisions) in zip(CHUNKS[1:], reopened[1:], strict=True):
        missed = late_audited_decisions(landing, chunk) - rebuilt
        assert not missed, f"{chunk}: {len(missed)} late-audited decisions not rebuilt, e.g. {sorted(missed)[:3]}"
        assert len(rebuilt) < decisions / 2, f"{chunk}: rebuilt {len(rebuilt)} of {decisions} decisions"


def test_every_published_mart_equals_the_full_refresh_build(builds):
    _, daily, full, _, _ = builds
    rows = compare_builds(daily, full)
    assert len(rows) >= 20
    assert rows["fct_decisions"] > 2500 and rows["agg_quality_daily"] > 100


def test_a_daily_publish_writes_the_reopened_days_links_the_rest_and_equals_the_full_refresh(builds):
    """Published day by day, the large facts are day partitions of which each publish wrote only the days
    its build re-opened (and hard-linked the others, the same files as the publication before); served
    through the published file's views they equal the full-refresh build row for row, as does every
    other published mart."""
    _, daily, full, reopened, publications = builds
    rows = compare_builds(daily, full, published=True)
    assert rows["fct_decisions"] > 2500 and rows["fct_qa_audits"] > 100
    first, _, _ = publications[0]
    assert first.days_linked == 0 and first.days_written == 2 * (CHUNKS[0][1] + 1)  # both facts, every day
    for result, linked, reopened_days in publications[1:]:
        for (table, day_), shared in linked.items():
            if day_ in reopened_days:
                assert not shared, f"{table} {day_}: re-opened, yet the previous publication's files were linked"
            else:
                assert shared, f"{table} {day_}: not re-opened, yet written again"
        assert result.days_linked == sum(linked.values())
    assert publications[-1][0].days_linked > 0


def test_the_gate_is_told_what_each_model_was_rebuilt_by(builds):
    """int_rebuilt_rows lists, as data, every model that declares `reopened_by` (from dbt's graph, not a
    hand-written list); the gate's own predicate per kind (expectations/scope.py) runs on the build, and
    the fct_decisions one selects exactly the re-opened decisions."""
    _, daily, _, reopened, _ = builds
    con = duckdb.connect(str(layout(daily).build_database), read_only=True)
    try:
        since = con.execute("select since_load_id from intermediate.int_build_scope").fetchone()[0]
        scopes = con.execute("select model_name, relation_name, reopened_by, reopened_column, reopened_on_day "
                             "from intermediate.int_rebuilt_rows").fetchall()
        predicates = {relation: rebuilt_rows_predicate(kind, column, since, on_day)
                      for _, relation, kind, column, on_day in scopes}
        counts = {relation: con.execute(f"select count(*) from {relation} where {predicate}").fetchone()[0]
                  for relation, predicate in predicates.items() if predicate}
        stored = {row[0] for row in con.execute("select decision_id from marts.fct_decisions").fetchall()}
    finally:
        con.close()
    assert {model: (kind, column, on_day) for model, _, kind, column, on_day in scopes} == {
        "stg_landing__decisions": ("delivery", "decision_id", None),
        "stg_landing__items": ("delivery", "item_id", None),
        "stg_landing__audits": ("delivery", "audit_id", None),
        "stg_landing__appeals": ("delivery", "appeal_id", None),
        "int_raw_versions_conflicting": ("delivery", None, None),  # a composite key: no one column
        "dq_conflicting_versions": ("delivery", None, None),
        "int_items_first_decided": ("item", "item_id", None),
        "int_audits_ranked": ("decision", "decision_id", None),
        "fct_appeals": ("appeal", "appeal_id", None),
        "int_decisions_verdicts_resolved": ("decision", "decision_id", None),
        "fct_decisions": ("decision", "decision_id", "decision_date"),
        "fct_qa_audits": ("decision", "decision_id", "decision_date"),
        "dq_orphans": ("orphan", None, None),
        "agg_quality_daily": ("day", "decision_date", None),
        "agg_sla_daily": ("day", "decision_date", None),
        "agg_sla_weekly": ("week", "week_start_date", None),
        "agg_moderator_accuracy_monthly": ("month", "month_start_date", None),
        "agg_error_root_causes": ("month", "month_start_date", None),
        "agg_policy_confusion": ("month", "month_start_date", None),
        "int_calibration_agreement_replicates": ("session", "session_id", None),
    }
    assert predicates["monitoring.dq_orphans"] is None  # validated whole
    assert counts["marts.fct_decisions"] == len(reopened[-1][0] & stored) > 0


def test_incremental_data_tests_read_the_rebuilt_rows_and_still_catch_a_defect_there(builds):
    """In an incremental build the tests whose `where` names `__rebuilt_rows__` read only the rows it rebuilt
    (macros/get_where_subquery.sql); a duplicate planted among those rows still fails `unique`. Changes the
    daily build database, and puts it back."""
    _, daily, _, _, _ = builds
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
        # not_null as well (it passes): the gate owns both on this target, so the build compiled neither.
        result = run_dbt(["test", "--select", "fct_decisions,test_name:unique", "fct_decisions,test_name:not_null"],
                         daily, extra_env={SINCE_ENV: since})
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
    assert "(decision_id is null or (" in not_null.read_text()


def test_a_data_test_without_the_placeholder_reads_the_whole_model(builds):
    """Only a test that asks for it is narrowed. In fct_qa_audits, whose rows are re-opened by decision,
    `unique` on audit_id has no placeholder: a duplicate audit planted on a decision this build did not
    re-open fails it. The accepted_values test on audit_type has one: a bad value planted on that same
    untouched decision is not its business. Changes the daily build database, and puts it back."""
    _, daily, _, _, _ = builds
    database = layout(daily).build_database
    con = duckdb.connect(str(database))
    try:
        since = con.execute("select since_load_id from intermediate.int_build_scope").fetchone()[0]
        audit_id, audit_type = con.execute("""
            select audit_id, audit_type from marts.fct_qa_audits
            where decision_id not in (select decision_id from intermediate.int_reopened_decisions
                                      where decision_id is not null)
            order by audit_id limit 1""").fetchone()
        con.execute("insert into marts.fct_qa_audits select * from marts.fct_qa_audits where audit_id = ?", [audit_id])
        con.execute("update marts.fct_qa_audits set audit_type = 'bogus' where audit_id = ?", [audit_id])
    finally:
        con.close()
    try:
        selected = ["fct_qa_audits,test_name:unique", "fct_qa_audits,test_name:accepted_values"]
        result = run_dbt(["test", "--select", *selected], daily, extra_env={SINCE_ENV: since})
    finally:
        con = duckdb.connect(str(database))
        con.execute("delete from marts.fct_qa_audits where rowid = (select max(rowid) from marts.fct_qa_audits "
                    "where audit_id = ?)", [audit_id])
        con.execute("update marts.fct_qa_audits set audit_type = ? where audit_id = ?", [audit_type, audit_id])
        con.close()
    assert result.returncode != 0
    assert [node.name for node in result.failures] == ["unique_fct_qa_audits_audit_id"]
    passed = [node.name for node in result.nodes if node.name.startswith("accepted_values_fct_qa_audits_audit_type")]
    assert passed, "the accepted_values test on audit_type did not run"
    compiled = next((layout(daily).dbt_target_dir / "compiled").rglob("unique_fct_qa_audits_audit_id.sql"))
    assert "int_reopened" not in compiled.read_text()


def test_the_reconciliation_compares_the_rebuilt_days_and_catches_a_miscount_there(builds):
    """The singular test reconciling agg_quality_daily with fct_decisions reads, in an incremental build, the
    days agg_quality_daily rebuilt (rebuilt_rows_condition in its SQL). A miscount planted on a re-opened
    day fails it; one planted on a day this build did not re-open is the previous build's, and is not
    read. Changes the daily build database, and puts it back."""
    _, daily, _, _, _ = builds
    database = layout(daily).build_database
    name = "assert_agg_quality_daily_decisions_reconcile"
    cell = "decision_date = ? and vendor_id = ? and queue_id = ? and market = ?"
    con = duckdb.connect(str(database))
    try:
        since = con.execute("select since_load_id from intermediate.int_build_scope").fetchone()[0]
        cells = {}
        for reopened in (True, False):
            cells[reopened] = con.execute(f"""
                select decision_date, vendor_id, queue_id, market from marts.agg_quality_daily
                where decision_date {'' if reopened else 'not'} in (select decision_date
                                                                    from intermediate.int_reopened_days)
                order by all limit 1""").fetchone()
    finally:
        con.close()
    assert all(cells.values()), cells

    def reconcile_with_one_more_decision_in(key) -> list[str]:
        con = duckdb.connect(str(database))
        con.execute(f"update marts.agg_quality_daily set decisions = decisions + 1 where {cell}", list(key))
        con.close()
        try:
            result = run_dbt(["test", "--select", name], daily, extra_env={SINCE_ENV: since})
        finally:
            con = duckdb.connect(str(database))
            con.execute(f"update marts.agg_quality_daily set decisions = decisions - 1 where {cell}", list(key))
            con.close()
        assert [node.name for node in result.nodes] == [name]
        return [node.name for node in result.failures]

    assert reconcile_with_one_more_decision_in(cells[True]) == [name]
    assert reconcile_with_one_more_decision_in(cells[False]) == []
    compiled = next((layout(daily).dbt_target_dir / "compiled").rglob(f"{name}.sql"))
    assert "int_reopened_days" in compiled.read_text()


def test_an_unknown_reopened_by_fails_compilation_naming_the_model_and_the_kinds(tmp_path):
    """A copy of the project with one model's `reopened_by` misspelt: compiling fails with the model and
    the values it may take, not with a wrong delete at run time. (A missing value takes the same check.)"""
    project = tmp_path / "project"
    (project / "tests").mkdir(parents=True)
    for part in ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests/dbt"):
        source = PROJECT_DIR / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, project / part)
    model = project / "models/marts/core/fct_qa_audits.sql"
    declared = "incremental_config('decision', 'audit_id'"
    assert declared in model.read_text()
    model.write_text(model.read_text().replace(declared, "incremental_config('per_audit', 'audit_id'"))
    (tmp_path / "warehouse" / "build").mkdir(parents=True)
    result = subprocess.run([dbt_executable(), *shim_options(tmp_path / "warehouse"), "compile", "--select",
                             "int_rebuilt_rows", "--project-dir", str(project), "--profiles-dir", str(project)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode != 0, result.stdout[-2000:]
    expected = ("model fct_qa_audits: config meta reopened_by is per_audit; an incremental model declares what "
                "re-opens its rows, one of: decision, item, appeal, day, week, month, orphan, session, delivery")
    assert expected in " ".join(result.stdout.split())


def test_a_decision_or_audit_corrected_onto_another_item_or_day_leaves_nothing_behind(tmp_path):
    """A correction may move a decision to another item and day, or an audit to another decision. The
    incremental build must rebuild what the old version was stored under too (the old item's first
    decision, the old day's counts, the old decision's verdict), or those rows stay stale. Before it, a
    build that staged the new loads and was never recorded (killed after staging) left their rows in
    staging: staging deletes what it stored since the watermark, or those keys would be stored twice."""
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
    unrecorded = run_dbt(["run", "--select", "path:models/staging"], daily, extra_env=incremental_env(daily))
    assert unrecorded.returncode == 0 and not unrecorded.failures
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
