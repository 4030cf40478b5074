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


def held_back_items(landing, day_folder, held):
    """Move one day's item files out of the landing folder; return the item ids they hold."""
    shutil.move(str(day_folder), held)
    return {line.split(",")[0] for path in held.iterdir() for line in path.read_text().splitlines()[1:]}


def test_orphans_are_reported_kept_and_join_when_the_parent_lands(tmp_path):
    """Three runs over one landing whose first and last days' items arrive late.
    Run 1: decisions without their item are reported (not published), and so are the audits of those
    decisions (grand-orphans waiting for the item). Run 2: a new appeal of a first-day decision arrives.
    An incremental run re-evaluates only the re-opened rows of dq_orphans, and a new appeal does not
    re-open its decision, so the run must take the decision's missing item from the previous build's list
    and name the item, not the decision; the decision stays listed though this run did not re-open it.
    The first day is older than the lookback window (which re-opens the latest days every run); the
    last day is inside it. Run 3: the items land and everything joins."""
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    generate(landing, days=3, decisions_per_day=300, seed=9, start=date(2026, 6, 1))
    first_day, last_day = sorted((landing / "items").iterdir())[0], sorted((landing / "items").iterdir())[-1]
    late_items = (held_back_items(landing, first_day, tmp_path / "first")
                  | held_back_items(landing, last_day, tmp_path / "last"))

    run_pipeline(landing, warehouse, quiet_console())
    orphans = query(warehouse, "select row_key, parent_key from monitoring.dq_orphans where table_name = 'decisions'")
    assert orphans and {parent for _, parent in orphans} <= late_items
    assert any(key.startswith("dec-20260601-") for key, _ in orphans)
    orphan_ids = tuple(key for key, _ in orphans)
    assert query(warehouse, f"select count(*) from marts.fct_decisions where decision_id in {orphan_ids}") == [(0,)]
    report = dict(query(warehouse, "select table_name, orphan_rows from monitoring.dq_ingest_report"))
    assert report["decisions"] == len(orphans)
    waiting_audits = query(warehouse, "select parent_key from monitoring.dq_orphans where table_name = 'audits'")
    assert waiting_audits and {key for (key,) in waiting_audits} <= late_items

    decision_id, item_id = min((key, parent) for key, parent in orphans if key.startswith("dec-20260601-"))
    late_appeal = landing / "appeals" / "late" / "appeals_late.csv"
    late_appeal.parent.mkdir()
    late_appeal.write_text("appeal_id,decision_id,filed_at,resolved_at,appeal_outcome\n"
                           f"apl-late-1,{decision_id},2026-06-05T10:00:00Z,,\n")
    run_pipeline(landing, warehouse, quiet_console())
    assert query(warehouse, "select parent_table, parent_key from monitoring.dq_orphans "
                            "where table_name = 'appeals' and row_key = 'apl-late-1'") == [("items", item_id)]
    assert query(warehouse, f"select parent_key from monitoring.dq_orphans where row_key = '{decision_id}'") == [
        (item_id,)]

    shutil.move(str(tmp_path / "first"), first_day)
    shutil.move(str(tmp_path / "last"), last_day)
    run_pipeline(landing, warehouse, quiet_console())
    assert query(warehouse, "select count(*) from monitoring.dq_orphans") == [(0,)]
    assert query(warehouse, f"select count(*) from marts.fct_decisions where decision_id in {orphan_ids}") == [
        (len(orphan_ids),)]
    assert query(warehouse, "select count(*) from marts.fct_appeals where appeal_id = 'apl-late-1'") == [(1,)]
