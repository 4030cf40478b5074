"""The benchmark's floor reads a landing in whichever format it was landed: the same generated data as
CSV, JSON lines or Parquet gives the same floor tables."""

from __future__ import annotations

from datetime import date

import pytest

from orchestration.bench_floor import floor_tables
from orchestration.generator import generate

DAILY = ("select decision_date, queue_id, market, decisions, n, tp, fp, fn, tn "
         "from agg_quality_daily order by all")


def floor_daily(landing, temp_dir) -> list[tuple]:
    con = floor_tables(landing, temp_dir)
    try:
        return con.execute(DAILY).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("file_format", ["csv", "jsonl"])
def test_the_floor_reads_text_landings_like_parquet(tmp_path, file_format):
    spec = {"days": 2, "decisions_per_day": 300, "seed": 5, "start": date(2026, 9, 1)}
    generate(tmp_path / "parquet", file_format="parquet", **spec)
    generate(tmp_path / file_format, file_format=file_format, **spec)
    expected = floor_daily(tmp_path / "parquet", tmp_path / "tmp")
    assert len(expected) > 10
    assert floor_daily(tmp_path / file_format, tmp_path / "tmp") == expected
