"""Children whose parent has not arrived are kept, reported, and join once the parent lands."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pytest

from orchestration.generator import generate
from orchestration.pipeline import run_pipeline
from orchestration.project import layout
from tests.conftest import quiet_console

pytestmark = pytest.mark.slow


def query(warehouse, sql):
    con = duckdb.connect(str(layout(warehouse).published_database), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_orphans_are_reported_then_join_when_the_parent_lands(tmp_path):
    landing, warehouse, held_back = tmp_path / "landing", tmp_path / "warehouse", tmp_path / "later"
    generate(landing, days=3, decisions_per_day=300, seed=9, start=date(2026, 6, 1))
    last_day = sorted((landing / "items").iterdir())[-1]
    shutil.move(str(last_day), held_back)  # the last day's items arrive late
    late_items = {line.split(",")[0] for line in (next(held_back.iterdir())).read_text().splitlines()[1:]}

    run_pipeline(landing, warehouse, quiet_console())
    orphans = query(warehouse, "select row_key, parent_key from monitoring.dq_orphans where table_name = 'decisions'")
    assert orphans and {parent for _, parent in orphans} <= late_items
    orphan_ids = tuple(key for key, _ in orphans)
    assert query(warehouse, f"select count(*) from marts.fct_decisions where decision_id in {orphan_ids}") == [(0,)]
    report = dict(query(warehouse, "select table_name, orphan_rows from monitoring.dq_ingest_report"))
    assert report["decisions"] == len(orphans)
    # Audits of those decisions wait for the decision's item (a grand-orphan), and say so.
    waiting_audits = query(warehouse, "select parent_key from monitoring.dq_orphans where table_name = 'audits'")
    assert waiting_audits and {key for (key,) in waiting_audits} <= late_items

    shutil.move(str(held_back), last_day)
    run_pipeline(landing, warehouse, quiet_console())
    assert query(warehouse, "select count(*) from monitoring.dq_orphans") == [(0,)]
    assert query(warehouse, f"select count(*) from marts.fct_decisions where decision_id in {orphan_ids}") == [
        (len(orphan_ids),)]


def test_an_appeal_arriving_for_a_decision_still_waiting_names_the_missing_item(tmp_path):
    """An incremental run re-evaluates only the re-opened rows of dq_orphans. A new appeal does not re-open
    its decision (fct_appeals is rebuilt whole), so when its decision still waits for its item, the run
    must take that from the previous build's list and name the item, not the decision. The first day's
    items arrive late: its decisions are older than the lookback window, which re-opens every run."""
    landing, warehouse, held_back = tmp_path / "landing", tmp_path / "warehouse", tmp_path / "later"
    generate(landing, days=3, decisions_per_day=300, seed=9, start=date(2026, 6, 1))
    first_day = sorted((landing / "items").iterdir())[0]
    shutil.move(str(first_day), held_back)
    run_pipeline(landing, warehouse, quiet_console())
    (decision_id, item_id), = query(warehouse, "select row_key, parent_key from monitoring.dq_orphans where "
                                               "table_name = 'decisions' and row_key like 'dec-20260601-%' "
                                               "order by row_key limit 1")

    late_appeal = landing / "appeals" / "late" / "appeals_late.csv"
    late_appeal.parent.mkdir()
    late_appeal.write_text("appeal_id,decision_id,filed_at,resolved_at,appeal_outcome\n"
                           f"apl-late-1,{decision_id},2026-06-05T10:00:00Z,,\n")
    run_pipeline(landing, warehouse, quiet_console())
    assert query(warehouse, "select parent_table, parent_key from monitoring.dq_orphans "
                            "where table_name = 'appeals' and row_key = 'apl-late-1'") == [("items", item_id)]
    # The decision is still listed, though this run did not re-open it.
    assert query(warehouse, f"select parent_key from monitoring.dq_orphans where row_key = '{decision_id}'") == [
        (item_id,)]

    shutil.move(str(held_back), first_day)
    run_pipeline(landing, warehouse, quiet_console())
    assert query(warehouse, "select count(*) from monitoring.dq_orphans") == [(0,)]
    assert query(warehouse, "select count(*) from marts.fct_appeals where appeal_id = 'apl-late-1'") == [(1,)]
