"""Versions of a key are ordered by delivery (DESIGN §3: a file's modification time, then its path), so
landing a set of files in one run, or split over several runs in delivery order, publishes the same
marts; and a key delivered in two versions by one load is listed for a person to confirm."""

from __future__ import annotations

import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.dbt_runner import build
from orchestration.generator import generate
from orchestration.ingest.contracts import CONTRACTS
from orchestration.ingest.loader import ingest
from orchestration.project import layout
from tests.mart_comparison import compare_builds
from tests.test_ingest import DECISION_HEADER

pytestmark = pytest.mark.slow

START = date(2026, 9, 1)
DAYS = 4
EPOCH = 1_788_000_000  # seconds: any fixed instant; only the order of the times matters


def delivered(path: Path, seconds: int) -> None:
    os.utime(path, ns=(seconds * 10**9, seconds * 10**9))


def correction(landing: Path, name: str, rows: list[tuple], seconds: int) -> Path:
    path = landing / "decisions" / (START + timedelta(days=DAYS - 1)).isoformat() / name
    lines = [DECISION_HEADER, *(",".join(str(v) for v in row) for row in rows)]
    path.write_text("\n".join(lines) + "\n")
    delivered(path, seconds)
    return path


@pytest.fixture(scope="module")
def deliveries(tmp_path_factory):
    """A generated programme, each day's files delivered a day apart, then two pairs of corrections of
    the same decisions whose names sort against their delivery order: the second delivery of each pair
    (handle time 222) is named a_*, the first (111) z_*."""
    root = tmp_path_factory.mktemp("delivery_order")
    landing = root / "landing"
    generate(landing, days=DAYS, decisions_per_day=150, seed=5, start=START, file_format="parquet")
    tables = list(CONTRACTS)
    for path in landing.rglob("*.parquet"):
        day = date.fromisoformat(path.parent.name)
        delivered(path, EPOCH + (day - START).days * 86_400 + tables.index(path.parts[-3]))
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    picked = con.execute(f"""
        select decision_id, item_id, moderator_id, is_automated, verdict, coalesce(policy_code, ''),
               strftime(decided_at, '%Y-%m-%dT%H:%M:%SZ')
        from read_parquet('{landing}/decisions/{START.isoformat()}/*.parquet') order by decision_id limit 6
    """).fetchall()
    con.close()
    late = EPOCH + DAYS * 86_400
    pair_a, pair_b, tied = picked[:2], picked[2:4], picked[4:]
    files = {
        "z_first_a.csv": correction(landing, "z_first_a.csv", [(*r, 111) for r in pair_a], late + 10),
        "a_second_a.csv": correction(landing, "a_second_a.csv", [(*r, 222) for r in pair_a], late + 20),
        "z_first_b.csv": correction(landing, "z_first_b.csv", [(*r, 111) for r in pair_b], late + 30),
        "a_second_b.csv": correction(landing, "a_second_b.csv", [(*r, 222) for r in pair_b], late + 40),
        # Modified at the same instant: the path breaks the tie (m_ wins over l_), and the order is in doubt.
        "l_tied.csv": correction(landing, "l_tied.csv", [(*r, 333) for r in tied], late + 25),
        "m_tied.csv": correction(landing, "m_tied.csv", [(*r, 444) for r in tied], late + 25),
    }
    return root, landing, [r[0] for r in pair_a], [r[0] for r in pair_b], [r[0] for r in tied], files


def test_one_run_and_runs_in_delivery_order_publish_the_same_marts(deliveries):
    root, landing, pair_a, pair_b, tied, files = deliveries
    one = root / "one_run"
    ingest(landing, one)
    build(one, tests=False)

    # The same files landed over three runs, in delivery order: days 0-1; days 2-3 with pair a whole and
    # the first of pair b; the second of pair b alone.
    split, split_landing = root / "three_runs", root / "split_landing"
    ordered = sorted((p for p in landing.rglob("*") if p.is_file()), key=lambda p: (p.stat().st_mtime_ns, p))
    cut_one = EPOCH + 2 * 86_400
    runs = [[p for p in ordered if p.stat().st_mtime < cut_one],
            [p for p in ordered if p.stat().st_mtime >= cut_one and p != files["a_second_b.csv"]],
            [files["a_second_b.csv"]]]
    for number, run in enumerate(runs):
        for path in run:
            target = split_landing / path.relative_to(landing)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)  # keeps the modification time: the delivery time
        ingest(split_landing, split)
        build(split, tests=number == len(runs) - 1)

    compare_builds(split, one, ("over three runs", "in one run"))
    con = duckdb.connect(str(layout(one).build_database), read_only=True)
    try:
        handled = dict(con.execute("select decision_id, handle_seconds from marts.fct_decisions "
                                   "where decision_id in (select unnest(?))", [pair_a + pair_b + tied]).fetchall())
        doubt = dict(con.execute("select record_key, is_order_in_doubt from monitoring.dq_conflicting_versions "
                                 "where table_name = 'decisions'").fetchall())
    finally:
        con.close()
    assert handled == dict.fromkeys(pair_a + pair_b, 222) | dict.fromkeys(tied, 444), (
        "the later delivery must win, whatever its name; a tie goes to the later path")
    assert {key: doubt.get(key) for key in pair_a + pair_b + tied} == (
        dict.fromkeys(pair_a + pair_b, False) | dict.fromkeys(tied, True))
    con = duckdb.connect(str(layout(split).build_database), read_only=True)
    try:
        listed = {row[0] for row in con.execute(
            "select record_key from monitoring.dq_conflicting_versions where table_name = 'decisions'").fetchall()}
    finally:
        con.close()
    assert set(pair_a + tied) <= listed and not set(pair_b) & listed, "pair b arrived over two loads"
