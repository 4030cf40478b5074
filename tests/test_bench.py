"""`modqa bench` on a tiny dataset: every phase runs and is reported (JSON and Markdown), and the floor —
a hand-written DuckDB script over the landing files, sharing no code with the warehouse — agrees with the
published warehouse on decisions and confusion counts per day, queue and market. (The floor does not
model roster history, so it may give a decision another vendor: vendors are not compared.)"""

from __future__ import annotations

import json

import pytest

from orchestration.bench import PHASES, bench
from orchestration.bench_floor import floor_tables

pytestmark = pytest.mark.slow

COUNTS = ["decisions", "in_sample", "true_positives", "false_positives", "false_negatives", "true_negatives"]
FLOOR_COUNTS = ["decisions", "n", "tp", "fp", "fn", "tn"]


def test_bench_reports_every_phase_and_its_floor_agrees_with_the_warehouse(tmp_path):
    table = bench([1000], days=2, repeats=1, root=tmp_path, echo=lambda *_: None)

    for phase in (*PHASES, "full run (sum)", "floor (hand-written DuckDB)", "daily incremental run",
                  *(f"daily: {p}" for p in PHASES), "daily modqa run (one process, the Dagster job)",
                  "daily run, nothing new landed", *(f"nothing new: {p}" for p in PHASES)):
        assert f"| 1,000 | 2 | parquet | {phase} |" in table
    assert (tmp_path / "bench.md").read_text().strip() == table.strip()
    size = json.loads((tmp_path / "bench.json").read_text())["sizes"][0]
    ratios = size["ratios"]
    assert set(ratios) == {"full_over_floor", "daily_over_full", "gate_share_of_build", "nothing_new_share_of_daily",
                           "day_over_nothing_new_seconds"}
    # A difference of two runs of a tiny day may fall either side of 0; the others are ratios of durations.
    assert all(value > 0 for name, value in ratios.items() if name != "day_over_nothing_new_seconds")
    (daily,), (idle,) = size["result"]["incremental"], size["result"]["nothing_new"]
    assert ratios["day_over_nothing_new_seconds"] == pytest.approx(daily["seconds"] - idle["seconds"])
    assert len(size["result"]["incremental"]) == 1 and len(size["result"]["incremental_modqa_run"]) == 1
    assert len(size["result"]["nothing_new"]) == 1
    assert size["result"]["floor"]

    base = tmp_path / "parquet-1e03-2d"
    # The daily run landed the held-back day: the floor reads the same files the warehouse now holds.
    con = floor_tables(base / "landing_daily", tmp_path / "floor_tmp")
    try:
        con.execute(f"attach '{base / 'warehouse' / 'warehouse.duckdb'}' as published (read_only)")
        floor = con.execute(
            "select decision_date, queue_id, market, " + ", ".join(f"sum({c})::bigint" for c in FLOOR_COUNTS)
            + " from agg_quality_daily group by all order by all").fetchall()
        published = con.execute(
            "select decision_date, queue_id, market, " + ", ".join(f"sum({c})::bigint" for c in COUNTS)
            + " from published.marts.agg_quality_daily group by all order by all").fetchall()
    finally:
        con.close()
    assert len(published) > 10 and floor == published
    days = {row[0] for row in published}
    assert len(days) == 3  # two days plus the held-back one
