"""Hostile input at the ingest boundary (issue 16): file names that look like patterns, names that
look like SQL, versions delivered out of name order, implausible values, private fields, links that
leave the landing folder and deliveries still in progress. Each case is a small landing written here."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.ingest.loader import ingest, pending_files
from orchestration.project import layout
from tests.test_ingest import (
    AUDIT_HEADER,
    DECISION,
    DECISION_HEADER,
    ITEM,
    ITEM_HEADER,
    land,
    manifest,
    quarantine,
    raw,
)


@pytest.fixture
def landing(tmp_path) -> Path:
    return tmp_path / "landing"


@pytest.fixture
def warehouse(tmp_path) -> Path:
    return tmp_path / "warehouse"


def decision(decision_id: str, verdict: str = "approve", when: str = "2026-10-01T09:00:00Z",
             seconds: str = "4") -> str:
    policy = "PHISHING" if verdict == "reject" else ""
    return f"{decision_id},itm-1,p00001,false,{verdict},{policy},{when},{seconds}"


# --- 1. Paths are data, never patterns -------------------------------------------------------------

GLOB_NAMES = ["[d]ecisions_2026-01-06.csv", "*.csv", "?.csv", "a**b.csv", "[2026]/x.csv", "*/y.csv"]


@pytest.mark.parametrize("name", GLOB_NAMES)
def test_a_file_name_with_glob_characters_reads_that_file_only(landing, warehouse, name):
    land(landing, "decisions", "decisions_2026-01-06.csv", DECISION_HEADER, decision("dec-a"), decision("dec-b"))
    land(landing, "decisions", "d.csv", DECISION_HEADER, decision("dec-c"))
    land(landing, "decisions", "2026/x.csv", DECISION_HEADER, decision("dec-e"))
    land(landing, "decisions", "zz/y.csv", DECISION_HEADER, decision("dec-f"))
    land(landing, "decisions", name, DECISION_HEADER, decision("dec-new-1"), decision("dec-new-2"))
    ingest(landing, warehouse)
    loaded = raw(warehouse, "decisions")
    assert sorted(loaded["decision_id"]) == ["dec-a", "dec-b", "dec-c", "dec-e", "dec-f", "dec-new-1", "dec-new-2"]
    entry = manifest(warehouse).set_index("source_file").loc[f"decisions/{name}"]
    assert (entry["status"], entry["rows_in_file"], entry["rows_loaded"]) == ("loaded", 2, 2)
    assert quarantine(warehouse).empty


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])
def test_glob_characters_in_parquet_and_json_names(landing, warehouse, suffix):
    rows = [{"item_id": f"itm-{i}", "item_type": "ad", "queue_id": "ads_standard", "market": "US",
             "language": "en", "enqueued_at": "2026-10-01T08:00:00Z"} for i in range(3)]
    folder = landing / "items"
    folder.mkdir(parents=True)
    for name, part in ((f"i{suffix}", rows[:1]), (f"[i]{suffix}", rows[1:])):
        if suffix == ".parquet":
            pd.DataFrame(part).to_parquet(folder / name)
        else:
            (folder / name).write_text("".join(json.dumps(r) + "\n" for r in part))
    ingest(landing, warehouse)
    assert sorted(raw(warehouse, "items")["item_id"]) == ["itm-0", "itm-1", "itm-2"]


# --- 2. Names from input never become SQL ------------------------------------------------------------

def injection(canary: Path) -> str:
    """A name that, pasted into SQL unquoted, ends the statement and writes the canary file."""
    return (f'a" := 1))::varchar as _extra, null as _raw from landed where false; '
            f"copy (select 42) to '{canary}'; --")


def test_a_csv_header_cannot_inject_sql(landing, warehouse, tmp_path):
    canary = tmp_path / "canary.csv"
    header = DECISION_HEADER + "," + '"' + injection(canary).replace('"', '""') + '"'
    land(landing, "decisions", "d.csv", header, DECISION + ",extra value")
    ingest(landing, warehouse)
    assert not canary.exists()
    loaded = raw(warehouse, "decisions")
    assert list(loaded["decision_id"]) == ["dec-1"]
    assert json.loads(loaded["_extra"].iloc[0]) == {injection(canary): "extra value"}


def test_a_parquet_column_name_cannot_inject_sql(landing, warehouse, tmp_path):
    canary = tmp_path / "canary.csv"
    frame = pd.DataFrame({"item_id": ["itm-1"], "item_type": ["ad"], "queue_id": ["ads_standard"],
                          "market": ["US"], "language": ["en"], "enqueued_at": ["2026-10-01T08:00:00Z"],
                          injection(canary): ["x"]})
    (landing / "items").mkdir(parents=True)
    frame.to_parquet(landing / "items" / "i.parquet")
    ingest(landing, warehouse)
    assert not canary.exists()
    loaded = raw(warehouse, "items")
    assert json.loads(loaded["_extra"].iloc[0]) == {injection(canary): "x"}


def test_a_json_field_name_cannot_inject_sql(landing, warehouse, tmp_path):
    canary = tmp_path / "canary.csv"
    row = {"item_id": "itm-1", "item_type": "ad", "queue_id": "ads_standard", "market": "US", "language": "en",
           "enqueued_at": "2026-10-01T08:00:00Z", injection(canary): "x", "it'em_id": "y"}
    land(landing, "items", "i.jsonl", json.dumps(row))
    ingest(landing, warehouse)
    assert not canary.exists()
    assert list(raw(warehouse, "items")["item_id"]) == ["itm-1"]


@pytest.mark.parametrize("folder", ["it's", 'a"b', "x'); copy (select 1) to 'CANARY'; --"])
def test_file_and_folder_names_cannot_inject_sql(landing, warehouse, tmp_path, folder):
    canary = tmp_path / "canary.csv"
    folder = folder.replace("CANARY", str(canary)).replace("/", "_")
    land(landing, "items", f"{folder}/{folder}.csv", ITEM_HEADER, ITEM)
    ingest(landing, warehouse)
    assert not canary.exists()
    assert list(raw(warehouse, "items")["_source_file"]) == [f"items/{folder}/{folder}.csv"]


# --- 3. Versions are ordered by delivery, not by file name ---------------------------------------------

def deliver(path: Path, seconds: int) -> None:
    """Set a landing file's delivery time (its modification time)."""
    os.utime(path, ns=(seconds * 10**9, seconds * 10**9))


def test_within_one_run_the_later_delivery_wins_whatever_its_name(landing, warehouse):
    original = land(landing, "decisions", "b_original.csv", DECISION_HEADER, decision("dec-1", "approve"))
    correction = land(landing, "decisions", "a_correction.csv", DECISION_HEADER, decision("dec-1", "reject"))
    deliver(original, 1_790_000_000)
    deliver(correction, 1_790_000_600)
    ingest(landing, warehouse)
    loaded = raw(warehouse, "decisions")
    order = ["_load_id", "_delivered_at", "_source_file", "_source_line"]
    latest = loaded.sort_values(order).iloc[-1]
    assert latest["verdict"] == "reject" and latest["_source_file"] == "decisions/a_correction.csv"


# --- 4. Implausible values are quarantined at ingest ---------------------------------------------------

@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (decision("dec-9", when="2099-01-01T00:00:00Z"), "decided_at", "is after the load time"),
        (decision("dec-9", when="infinity"), "decided_at", "is after the load time"),
        (decision("dec-9", when="2001-01-01T00:00:00Z"), "decided_at", "is before the programme start"),
        (decision("dec-9", seconds="9223372036854775807"), "handle_seconds", "is above the maximum 86400"),
        (decision("dec-9", seconds="86401"), "handle_seconds", "is above the maximum 86400"),
        (decision("dec-9", seconds="99999999999999999999"), "handle_seconds", "is not a whole number"),
    ],
)
def test_implausible_decisions_are_quarantined(landing, warehouse, row, column, words):
    land(landing, "decisions", "d.csv", DECISION_HEADER, decision("dec-ok"), row)
    ingest(landing, warehouse)
    bad = quarantine(warehouse)
    assert list(zip(bad["source_line"], bad["column_name"], strict=True)) == [(3, column)]
    assert words in bad["reason"].iloc[0]
    assert list(raw(warehouse, "decisions")["decision_id"]) == ["dec-ok"]


@pytest.mark.parametrize(("rate", "words"), [("1e-300", "is below the minimum"), ("nan", "is not a finite number"),
                                             ("inf", "is not a finite number")])
def test_implausible_sampling_rates_are_quarantined(landing, warehouse, rate, words):
    land(landing, "audits", "a.csv", AUDIT_HEADER,
         f"aud-1,dec-1,q1,random,{rate},2026-10-02T09:00:00Z,approve,,,,")
    ingest(landing, warehouse)
    bad = quarantine(warehouse)
    assert list(bad["column_name"]) == ["sampling_rate"] and words in bad["reason"].iloc[0]


def test_minutes_beyond_a_day_are_quarantined(landing, warehouse):
    land(landing, "shifts", "s.csv", "person_id,shift_date,scheduled_minutes,logged_in_minutes,training_minutes",
         "p00001,2026-10-01,480,5000,0", "p00001,2026-10-02,480,470,0")
    ingest(landing, warehouse)
    bad = quarantine(warehouse)
    assert list(zip(bad["source_line"], bad["column_name"], strict=True)) == [(2, "logged_in_minutes")]
    assert "is above the maximum 1440" in bad["reason"].iloc[0]


# --- 5. Private data stays in the raw layer ------------------------------------------------------------

def test_quarantined_rows_carry_their_key_and_the_raw_layer_is_private(landing, warehouse):
    row = {"audit_id": "aud-1", "decision_id": "dec-1", "auditor_id": "q1", "audit_type": "random",
           "sampling_rate": 2.0, "audited_at": "2026-10-02T09:00:00Z", "qa_verdict": "approve",
           "auditor_email": "jane@example.com", "content_text": "private words"}
    land(landing, "audits", "a.jsonl", json.dumps(row))
    ingest(landing, warehouse)
    bad = quarantine(warehouse).iloc[0]
    assert bad["record_key"] == "aud-1"
    lay = layout(warehouse)
    for path in (lay.root, lay.raw):
        assert not stat.S_IMODE(path.stat().st_mode) & stat.S_IRWXO, f"{path} is open to every user"
    assert not stat.S_IMODE(lay.raw.stat().st_mode) & stat.S_IRWXG, "the raw layer is open to the BI group"


def test_a_link_out_of_the_landing_folder_is_rejected_not_followed(landing, warehouse, tmp_path):
    outside = tmp_path / "secrets.csv"
    outside.write_text(ITEM_HEADER + "\n" + ITEM + "\n")
    (landing / "items").mkdir(parents=True)
    (landing / "items" / "link.csv").symlink_to(outside)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "i.csv").write_text(ITEM_HEADER + "\n" + ITEM.replace("itm-1", "itm-2") + "\n")
    (landing / "items" / "linked_folder").symlink_to(tmp_path / "elsewhere")
    report = ingest(landing, warehouse)
    items = next(t for t in report.tables if t.table == "items")
    assert raw(warehouse, "items").empty
    assert sorted(name for name, _ in items.rejected_files) == ["items/link.csv", "items/linked_folder"]
    assert all("outside the landing folder" in message for _, message in items.rejected_files)


# --- 8. Deliveries in progress -------------------------------------------------------------------------

def test_files_still_being_delivered_are_skipped_and_listed(landing, warehouse):
    land(landing, "items", "i.csv", ITEM_HEADER, ITEM)
    land(landing, "items", "big.csv.part", ITEM_HEADER, "itm-2,ad,ads_standard,US,en,2026-10-01T0")
    land(landing, "items", "next.csv.tmp", ITEM_HEADER, ITEM.replace("itm-1", "itm-3"))
    land(landing, "items", ".uploading.csv", ITEM_HEADER, ITEM.replace("itm-1", "itm-4"))
    assert [f.relative for _, f in pending_files(landing, warehouse)] == ["items/i.csv"]
    report = ingest(landing, warehouse)
    items = next(t for t in report.tables if t.table == "items")
    assert list(raw(warehouse, "items")["item_id"]) == ["itm-1"]
    assert sorted(name for name, _ in items.skipped_files) == [
        "items/.uploading.csv", "items/big.csv.part", "items/next.csv.tmp"]
    listed = manifest(warehouse)
    assert sorted(listed.loc[listed["status"] == "in_progress", "source_file"]) == [
        "items/.uploading.csv", "items/big.csv.part", "items/next.csv.tmp"]
    # Renamed to its final name once complete, it loads.
    (landing / "items" / "big.csv.part").write_text(ITEM_HEADER + "\n" + ITEM.replace("itm-1", "itm-2") + "\n")
    (landing / "items" / "big.csv.part").rename(landing / "items" / "big.csv")
    ingest(landing, warehouse)
    assert sorted(raw(warehouse, "items")["item_id"]) == ["itm-1", "itm-2"]


def test_a_literal_path_names_exactly_one_file(tmp_path):
    """The escaping of a path is DuckDB's own bracket syntax: check it on the engine, not on our code."""
    from orchestration.ingest.sql import literal_path

    for name in ["[a].csv", "*.csv", "?x.csv", "a]b.csv", "q'x.csv", "a\\b.csv"]:
        path = tmp_path / name
        path.write_text(f"v\n{name}\n")
    (tmp_path / "a.csv").write_text("v\nother\n")
    con = duckdb.connect()
    for name in ["[a].csv", "*.csv", "?x.csv", "a]b.csv", "q'x.csv", "a\\b.csv"]:
        values = con.execute(f"select v from read_csv({literal_path(tmp_path / name)}, all_varchar = true)").fetchall()
        assert values == [(name,)], name
