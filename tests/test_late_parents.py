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
