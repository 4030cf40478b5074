"""Ingest of every class of bad input: each row is loaded or quarantined with file, line, column
and a reason that says what to do; files are loaded once; an interrupted run leaves nothing half-done."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from orchestration.ingest.contracts import CONTRACTS
from orchestration.ingest.loader import ingest
from orchestration.ingest.store import DELIVERY_ORDER, RawStore
from orchestration.project import PROJECT_DIR, layout

ITEM_HEADER = "item_id,item_type,queue_id,market,language,enqueued_at"
DECISION_HEADER = "decision_id,item_id,moderator_id,is_automated,verdict,policy_code,decided_at,handle_seconds"
AUDIT_HEADER = ("audit_id,decision_id,auditor_id,audit_type,sampling_rate,audited_at,qa_verdict,qa_policy_code,"
                "error_root_cause,error_severity,dispute_outcome")
ITEM = "itm-1,ad,ads_standard,US,en,2026-10-01T08:00:00Z"
DECISION = "dec-1,itm-1,p00001,false,reject,PHISHING,2026-10-01T09:00:00Z,42"


def land(landing: Path, table: str, name: str, *lines: str, encoding: str = "utf-8") -> Path:
    path = landing / table / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding) if lines else b"")
    return path


def rows(warehouse: Path, sql_from: str) -> pd.DataFrame:
    con = duckdb.connect()
    try:
        return con.execute(f"select * from {sql_from}").df()
    finally:
        con.close()


def raw(warehouse: Path, table: str) -> pd.DataFrame:
    return rows(warehouse, f"read_parquet('{layout(warehouse).raw / table}/*.parquet')")


def quarantine(warehouse: Path) -> pd.DataFrame:
    folder = layout(warehouse).raw / "_quarantine"
    return rows(warehouse, f"read_parquet('{folder}/*.parquet') order by source_file, source_line")


def manifest(warehouse: Path) -> pd.DataFrame:
    return rows(warehouse, f"read_parquet('{layout(warehouse).raw / '_manifest'}/*.parquet') order by source_file")


@pytest.fixture
def landing(tmp_path) -> Path:
    return tmp_path / "landing"


@pytest.fixture
def warehouse(tmp_path) -> Path:
    return tmp_path / "warehouse"


def test_good_rows_load_typed_with_lineage(landing, warehouse):
    land(landing, "items", "2026-10-01/items.csv", ITEM_HEADER, ITEM,
         "itm-2,creative,creative_review,DE,de,2026-10-01T10:30:00+02:00")
    report = ingest(landing, warehouse)
    items = raw(warehouse, "items").sort_values("item_id")
    assert report.rows_loaded == 2 and report.rows_quarantined == 0
    assert list(items["_source_file"]) == ["items/2026-10-01/items.csv"] * 2
    assert list(items["_source_line"]) == [2, 3]
    # An offset is converted to UTC; text without one is UTC already.
    assert [str(t.tz_convert("UTC").tz_localize(None)) for t in items["enqueued_at"]] == [
        "2026-10-01 08:00:00", "2026-10-01 08:30:00"]


def test_missing_required_column_rejects_the_file_and_quarantines_every_row(landing, warehouse):
    land(landing, "decisions", "d.csv", "decision_id,item_id,moderator_id,is_automated,decided_at,handle_seconds",
         "dec-1,itm-1,p1,false,2026-10-01T09:00:00Z,3", "dec-2,itm-1,p1,false,2026-10-01T09:00:00Z,3")
    report = ingest(landing, warehouse)
    decisions = next(t for t in report.tables if t.table == "decisions")
    assert decisions.rejected_files == [
        ("decisions/d.csv", "required column verdict is missing; every row quarantined")]
    entry = manifest(warehouse).iloc[0]
    assert (entry["status"], entry["rows_in_file"], entry["rows_loaded"], entry["rows_quarantined"]) == (
        "rejected", 2, 0, 2)
    bad = quarantine(warehouse)
    assert list(bad["source_line"]) == [2, 3]
    assert set(bad["column_name"]) == {"verdict"} and set(bad["reason_code"]) == {"missing_column"}
    assert "add the column and land the file again" in bad["reason"].iloc[0]
    assert raw(warehouse, "decisions").empty


@pytest.mark.parametrize(
    ("row", "column", "code", "words"),
    [
        ("dec-1,itm-1,p1,false,reject,PHISHING,2026-10-01T09:00:00Z,abc", "handle_seconds", "bad_type",
         "handle_seconds = 'abc' is not a whole number"),
        ("dec-1,itm-1,p1,false,reject,PHISHING,yesterday,4", "decided_at", "bad_type",
         "decided_at = 'yesterday' is not an ISO-8601 timestamp"),
        ("dec-1,itm-1,p1,maybe,reject,PHISHING,2026-10-01T09:00:00Z,4", "is_automated", "bad_type",
         "is_automated = 'maybe' is not true or false"),
        ("dec-1,itm-1,p1,false,escalate,PHISHING,2026-10-01T09:00:00Z,4", "verdict", "bad_value",
         "verdict = 'escalate' is not one of approve, reject"),
        ("dec-1,itm-1,p1,false,reject,PHISHING,2026-10-01T09:00:00Z,-5", "handle_seconds", "out_of_range",
         "handle_seconds = '-5' is below the minimum 0"),
        ("dec-1,itm-1,p1,false,reject,NOT_A_POLICY,2026-10-01T09:00:00Z,4", "policy_code", "unknown_reference",
         "is not in seeds/policies.csv"),
        ("dec-1,itm-1,p1,false,reject,,2026-10-01T09:00:00Z,4", "policy_code", "rule_violation",
         "policy_code is required when verdict is 'reject'"),
        (",itm-1,p1,false,approve,,2026-10-01T09:00:00Z,4", "decision_id", "missing_value",
         "decision_id is empty; it is required"),
    ],
)
def test_bad_values_are_quarantined_with_line_column_and_reason(landing, warehouse, row, column, code, words):
    land(landing, "decisions", "d.csv", DECISION_HEADER, DECISION.replace("dec-1", "dec-ok"), row)
    ingest(landing, warehouse)
    bad = quarantine(warehouse)
    assert len(bad) == 1
    entry = bad.iloc[0]
    assert (entry["table_name"], entry["source_file"], entry["source_line"]) == ("decisions", "decisions/d.csv", 3)
    assert (entry["column_name"], entry["reason_code"]) == (column, code)
    assert words in entry["reason"]
    assert json.loads(entry["raw_record"])["item_id"] == "itm-1"
    assert list(raw(warehouse, "decisions")["decision_id"]) == ["dec-ok"]


def test_decided_before_enqueued_is_quarantined_in_either_arrival_order(landing, warehouse):
    land(landing, "items", "1/items.csv", ITEM_HEADER, ITEM)
    land(landing, "decisions", "1/d.csv", DECISION_HEADER, "dec-1,itm-1,p1,false,approve,,2026-10-01T07:59:59Z,4")
    ingest(landing, warehouse)
    bad = quarantine(warehouse)
    assert list(bad["reason_code"]) == ["cross_table_rule"] and list(bad["column_name"]) == ["decided_at"]
    assert "is before item itm-1 was enqueued (2026-10-01T08:00:00Z)" in bad["reason"].iloc[0]
    # The other order: the decision is loaded first (its item has not arrived: an orphan, kept) …
    land(landing, "decisions", "2/d.csv", DECISION_HEADER, "dec-2,itm-2,p1,false,approve,,2026-10-02T07:00:00Z,4")
    ingest(landing, warehouse)
    # … then the item arrives claiming it was enqueued after that decision: the item is the bad row.
    land(landing, "items", "2/items.csv", ITEM_HEADER, "itm-2,ad,ads_standard,US,en,2026-10-02T08:00:00Z")
    ingest(landing, warehouse)
    bad = quarantine(warehouse)
    late = bad[bad["source_file"] == "items/2/items.csv"].iloc[0]
    assert late["column_name"] == "enqueued_at" and "is after decision(s) on this item" in late["reason"]
    assert "dec-2" in set(raw(warehouse, "decisions")["decision_id"])


def test_a_decision_is_judged_against_the_latest_delivery_of_its_item(landing, warehouse):
    """An item corrected to a later enqueue time makes an earlier decision wrong, and one corrected to an
    earlier time makes it right, whatever the earlier deliveries said."""
    land(landing, "items", "1/items.csv", ITEM_HEADER, ITEM, "itm-2,ad,ads_standard,US,en,2026-10-01T12:00:00Z")
    ingest(landing, warehouse)
    land(landing, "items", "2/items.csv", ITEM_HEADER, "itm-1,ad,ads_standard,US,en,2026-10-01T12:00:00Z",
         "itm-2,ad,ads_standard,US,en,2026-10-01T08:00:00Z")
    ingest(landing, warehouse)
    land(landing, "decisions", "3/d.csv", DECISION_HEADER, "dec-1,itm-1,p1,false,approve,,2026-10-01T10:00:00Z,4",
         "dec-2,itm-2,p1,false,approve,,2026-10-01T10:00:00Z,4")
    ingest(landing, warehouse)
    bad = quarantine(warehouse)
    assert list(bad["reason_code"]) == ["cross_table_rule"]
    assert "is before item itm-1 was enqueued (2026-10-01T12:00:00Z)" in bad["reason"].iloc[0]
    assert list(raw(warehouse, "decisions")["decision_id"]) == ["dec-2"]


def test_identical_redelivery_loads_once(landing, warehouse):
    land(landing, "items", "1/items.csv", ITEM_HEADER, ITEM)
    land(landing, "items", "2/items.csv", ITEM_HEADER, ITEM, "itm-2,ad,ads_standard,US,en,2026-10-01T09:00:00Z")
    report = ingest(landing, warehouse)
    assert sorted(raw(warehouse, "items")["item_id"]) == ["itm-1", "itm-2"]
    bad = quarantine(warehouse)
    assert list(bad["reason_code"]) == ["duplicate_identical"] and bad.iloc[0]["source_file"] == "items/2/items.csv"
    assert report.tables[1].rows_duplicate == 1


def test_conflicting_duplicate_in_one_file_keeps_the_first_and_names_it(landing, warehouse):
    land(landing, "items", "1/items.csv", ITEM_HEADER, ITEM, "itm-1,ad,ads_priority,US,en,2026-10-01T08:00:00Z")
    ingest(landing, warehouse)
    assert list(raw(warehouse, "items")["queue_id"]) == ["ads_standard"]
    bad = quarantine(warehouse).iloc[0]
    assert (bad["reason_code"], bad["source_line"]) == ("duplicate_conflict", 3)
    assert "appears earlier in this file (line 2)" in bad["reason"]


def test_changed_row_in_a_later_delivery_is_a_new_version(landing, warehouse):
    pending = "aud-1,dec-1,q1,random,0.05,2026-10-02T09:00:00Z,approve,,,,pending"
    land(landing, "audits", "2026-10-02/a.csv", AUDIT_HEADER, pending)
    ingest(landing, warehouse)
    land(landing, "audits", "2026-10-05/a.csv", AUDIT_HEADER, pending.replace("pending", "upheld"))
    ingest(landing, warehouse)
    audits = raw(warehouse, "audits").sort_values("_load_id")
    assert list(audits["dispute_outcome"]) == ["pending", "upheld"]  # both kept; staging takes the latest
    assert quarantine(warehouse).empty


def test_orphan_child_is_kept_not_quarantined(landing, warehouse):
    land(landing, "audits", "a.csv", AUDIT_HEADER,
         "aud-9,dec-unknown,q1,targeted,,2026-10-02T09:00:00Z,reject,MALWARE,,,")
    ingest(landing, warehouse)
    assert list(raw(warehouse, "audits")["decision_id"]) == ["dec-unknown"]
    assert quarantine(warehouse).empty


def test_empty_files_are_recorded_not_failed(landing, warehouse):
    land(landing, "items", "zero.csv")
    land(landing, "items", "header_only.csv", ITEM_HEADER)
    land(landing, "audits", "blank.jsonl", "")
    ingest(landing, warehouse)
    seen = manifest(warehouse)
    assert sorted(seen["status"]) == ["empty", "empty", "empty"]
    assert (seen["rows_loaded"] == 0).all()


def test_wrong_encoding_quarantines_the_bad_line_and_names_the_fix(landing, warehouse):
    path = landing / "items" / "latin1.csv"
    path.parent.mkdir(parents=True)
    latin1_line = "itm-2é,ad,ads_standard,FR,fr,2026-10-01T08:00:00Z\n".encode("latin-1")
    path.write_bytes((ITEM_HEADER + "\n" + ITEM + "\n").encode() + latin1_line)
    land(landing, "decisions", "utf16.csv", DECISION_HEADER, DECISION, encoding="utf-16")
    report = ingest(landing, warehouse)
    bad = quarantine(warehouse)
    assert list(bad["source_line"]) == [3] and bad.iloc[0]["reason_code"] == "encoding_error"
    assert "re-export the file as UTF-8" in bad.iloc[0]["reason"]
    assert list(raw(warehouse, "items")["item_id"]) == ["itm-1"]
    decisions = next(t for t in report.tables if t.table == "decisions")
    assert decisions.rejected_files[0][0] == "decisions/utf16.csv"
    assert "UTF-16" in decisions.rejected_files[0][1]


def test_unparseable_csv_and_json_lines_are_quarantined_by_line(landing, warehouse):
    land(landing, "items", "i.csv", ITEM_HEADER, ITEM, "itm-2,ad,ads_standard,US",
         "itm-3,ad,ads_standard,US,en,2026-10-01T08:00:00Z")
    good = {"audit_id": "aud-1", "decision_id": "dec-1", "auditor_id": "q1", "audit_type": "random",
            "sampling_rate": 0.1, "audited_at": "2026-10-02T09:00:00Z", "qa_verdict": "approve"}
    land(landing, "audits", "a.jsonl", json.dumps(good), "{not json", "", json.dumps(good | {"audit_id": "aud-2"}))
    ingest(landing, warehouse)
    bad = quarantine(warehouse)
    assert list(zip(bad["source_file"], bad["source_line"], bad["reason_code"], strict=True)) == [
        ("audits/a.jsonl", 2, "parse_error"), ("items/i.csv", 3, "parse_error")]
    assert sorted(raw(warehouse, "items")["item_id"]) == ["itm-1", "itm-3"]
    assert sorted(raw(warehouse, "items")["_source_line"]) == [2, 4]
    assert sorted(raw(warehouse, "audits")["_source_line"]) == [1, 4]


def test_parquet_landing_files_are_read_and_checked(landing, warehouse):
    frame = pd.DataFrame({"item_id": ["itm-1", "itm-2"], "item_type": ["ad", "poster"],
                          "queue_id": ["ads_standard"] * 2, "market": ["US", "US"], "language": ["en", "en"],
                          "enqueued_at": pd.to_datetime(["2026-10-01 08:00", "2026-10-01 09:00"]),
                          "campaign": ["x", "y"]})
    (landing / "items").mkdir(parents=True)
    frame.to_parquet(landing / "items" / "i.parquet")
    ingest(landing, warehouse)
    loaded = raw(warehouse, "items")
    assert list(loaded["item_id"]) == ["itm-1"] and json.loads(loaded["_extra"].iloc[0]) == {"campaign": "x"}
    bad = quarantine(warehouse).iloc[0]
    assert (bad["source_line"], bad["column_name"], bad["reason_code"]) == (2, "item_type", "bad_value")


def test_a_file_is_loaded_once_and_a_rerun_changes_nothing(landing, warehouse):
    first = land(landing, "items", "1/items.csv", ITEM_HEADER, ITEM)
    ingest(landing, warehouse)
    shutil.copy(first, landing / "items" / "copy_of_items.csv")
    report = ingest(landing, warehouse)
    items = next(t for t in report.tables if t.table == "items")
    assert items.duplicate_files == [
        ("items/copy_of_items.csv", "identical to items/1/items.csv, already loaded; not loaded again")]
    before = sorted((p.relative_to(warehouse), p.stat().st_mtime_ns) for p in warehouse.rglob("*.parquet"))
    again = ingest(landing, warehouse)
    after = sorted((p.relative_to(warehouse), p.stat().st_mtime_ns) for p in warehouse.rglob("*.parquet"))
    assert again.files_new == 0 and before == after
    assert len(raw(warehouse, "items")) == 1


def test_an_interrupted_batch_is_discarded_and_reloaded_once(landing, warehouse):
    land(landing, "items", "1/items.csv", ITEM_HEADER, ITEM)
    ingest(landing, warehouse)
    store = RawStore(layout(warehouse).raw)
    # A run killed after writing raw and quarantine files but before its manifest (the commit):
    committed = next(p for p in store.table_dir("items").glob("2*.parquet"))
    orphan_batch = store.table_dir("items") / "29991231T000000000000Z-items-0000.parquet"
    shutil.copy(committed, orphan_batch)
    (store.quarantine_dir / "x.parquet.tmp").write_bytes(b"partial")
    land(landing, "items", "2/items.csv", ITEM_HEADER, "itm-2,ad,ads_standard,US,en,2026-10-01T09:00:00Z")
    ingest(landing, warehouse)
    assert not orphan_batch.exists() and not (store.quarantine_dir / "x.parquet.tmp").exists()
    assert sorted(raw(warehouse, "items")["item_id"]) == ["itm-1", "itm-2"]


def test_every_landed_row_is_accounted_for(landing, warehouse):
    land(landing, "decisions", "d.csv", DECISION_HEADER, DECISION, DECISION,
         "dec-2,itm-1,p1,false,nope,,2026-10-01T09:00:00Z,1", "dec-3,itm-1,p1",
         "dec-4,itm-1,p1,false,approve,,2026-10-01T09:00:00Z,0")
    ingest(landing, warehouse)
    entry = manifest(warehouse).iloc[0]
    assert entry["rows_in_file"] == 5
    assert entry["rows_loaded"] + entry["rows_quarantined"] == 5
    assert len(raw(warehouse, "decisions")) == entry["rows_loaded"] == 2
    assert len(quarantine(warehouse)) == entry["rows_quarantined"] == 3


def test_unsupported_files_are_rejected_with_a_hint(landing, warehouse):
    land(landing, "items", "export.xlsx", "binary")
    report = ingest(landing, warehouse)
    assert report.tables[1].rejected_files == [
        ("items/export.xlsx", "not a supported file type (use .csv, .parquet or .jsonl); nothing loaded")]


def test_a_damaged_parquet_file_is_rejected_alone(landing, warehouse):
    frame = pd.DataFrame({"item_id": [f"itm-{i}" for i in range(1000)], "item_type": ["ad"] * 1000,
                          "queue_id": ["ads_standard"] * 1000, "market": ["US"] * 1000, "language": ["en"] * 1000,
                          "enqueued_at": pd.to_datetime(["2026-10-01 08:00"] * 1000)})
    (landing / "items").mkdir(parents=True)
    for day in (1, 2, 3):  # one schema: read together
        frame.assign(item_id=frame["item_id"] + f"-{day}").to_parquet(landing / "items" / f"{day}.parquet")
    damaged = landing / "items" / "2.parquet"
    data = bytearray(damaged.read_bytes())
    data[4:3000] = b"\xab" * 2996  # the column chunks; the footer still reads
    damaged.write_bytes(bytes(data))
    report = ingest(landing, warehouse)
    items = next(t for t in report.tables if t.table == "items")
    assert [name for name, _ in items.rejected_files] == ["items/2.parquet"]
    assert items.rejected_files[0][1].startswith("cannot be read as parquet")
    assert sorted(set(raw(warehouse, "items")["_source_file"])) == ["items/1.parquet", "items/3.parquet"]
    assert items.rows_loaded == 2000


def test_a_table_split_into_batches_loads_as_one(landing, warehouse, monkeypatch):
    monkeypatch.setattr("orchestration.ingest.loader.ROWS_PER_BATCH", 1)  # one file per batch
    land(landing, "items", "1/items.csv", ITEM_HEADER, ITEM, "itm-2,ad,ads_standard,US,en,2026-10-01T09:00:00Z")
    land(landing, "items", "2/items.csv", ITEM_HEADER, ITEM, "itm-2,ad,ads_priority,US,en,2026-10-01T09:00:00Z")
    land(landing, "decisions", "1/d.csv", DECISION_HEADER, "dec-1,itm-2,p1,false,approve,,2026-10-01T08:00:00Z,4")
    ingest(landing, warehouse)
    assert manifest(warehouse)["batch_id"].nunique() == 3
    items = raw(warehouse, "items").sort_values(["_source_file", "item_id"])
    assert list(zip(items["_source_file"], items["item_id"], strict=True)) == [
        ("items/1/items.csv", "itm-1"), ("items/1/items.csv", "itm-2"), ("items/2/items.csv", "itm-2")]
    bad = quarantine(warehouse)
    assert list(zip(bad["source_file"], bad["reason_code"], strict=True)) == [
        ("decisions/1/d.csv", "cross_table_rule"), ("items/2/items.csv", "duplicate_identical")]


def test_identical_redelivery_in_a_later_run_loads_nothing(landing, warehouse):
    lines = [f"itm-{i},ad,ads_standard,US,en,2026-10-01T08:00:00Z" for i in range(20)]
    land(landing, "items", "1/items.csv", ITEM_HEADER, *lines)
    ingest(landing, warehouse)
    land(landing, "items", "2/items.csv", ITEM_HEADER, *reversed(lines))  # another file, same rows
    report = ingest(landing, warehouse)
    # Every row, whatever its hash (half of them exceed a signed 64-bit integer, as stored in raw).
    assert report.rows_loaded == 0 and report.tables[1].rows_duplicate == 20


def test_dbt_knows_the_same_raw_keys_as_the_ingest_contracts():
    """Staging keeps one row per key and dq_ingest_report counts keys by dbt's `raw_keys` var; ingest
    judges re-deliveries by the contract's key. The two must name the same columns."""
    dbt_keys = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["raw_keys"]
    assert dbt_keys == {name: list(contract.key) for name, contract in CONTRACTS.items()}


def test_dbt_orders_deliveries_as_ingest_does():
    """Staging's latest version (dbt) and ingest's checks against the latest delivery (Python) must agree."""
    dbt_order = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["raw_delivery_order"]
    assert tuple(dbt_order) == DELIVERY_ORDER


def test_only_repeated_keys_are_flagged_as_redelivered(landing, warehouse):
    land(landing, "items", "day1.csv", ITEM_HEADER, ITEM, "itm-2,ad,ads_standard,US,en,2026-10-01T08:00:00Z")
    land(landing, "decisions", "day1.csv", DECISION_HEADER, DECISION)
    ingest(landing, warehouse)
    corrected = DECISION.replace("reject,PHISHING", "approve,")
    # A correction in a later load, and within that load a key delivered twice (a correction of a new key).
    land(landing, "decisions", "day2.csv", DECISION_HEADER, corrected,
         "dec-2,itm-2,p00001,false,approve,,2026-10-01T09:00:00Z,5")
    land(landing, "decisions", "day2b.csv", DECISION_HEADER, "dec-2,itm-2,p00001,false,approve,,2026-10-01T09:00:00Z,6")
    ingest(landing, warehouse)
    flags = raw(warehouse, "decisions").sort_values(["decision_id", "_load_id", "_source_file"])
    assert list(zip(flags.decision_id, flags.handle_seconds, flags._redelivered, strict=True)) == [
        ("dec-1", 42, False), ("dec-1", 42, True), ("dec-2", 5, False), ("dec-2", 6, True)]
    assert not raw(warehouse, "items")._redelivered.any()


def test_a_raw_layer_from_before_the_redelivered_flag_is_upgraded(landing, warehouse):
    land(landing, "items", "day1.csv", ITEM_HEADER, ITEM)
    land(landing, "decisions", "day1.csv", DECISION_HEADER, DECISION)
    ingest(landing, warehouse)
    land(landing, "decisions", "day2.csv", DECISION_HEADER, DECISION.replace(",42", ",43"))
    ingest(landing, warehouse)
    folder = layout(warehouse).raw / "decisions"
    con = duckdb.connect()
    try:  # write the files as the earlier version did: without the column
        for path in folder.glob("*.parquet"):
            con.execute(f"copy (select * exclude (_redelivered) from read_parquet('{path}')) to '{path}' "
                        "(format parquet)")
    finally:
        con.close()
    assert "_redelivered" not in raw(warehouse, "decisions").columns
    land(landing, "decisions", "day3.csv", DECISION_HEADER, DECISION.replace(",42", ",44"))
    ingest(landing, warehouse)
    flags = raw(warehouse, "decisions").sort_values("handle_seconds")
    assert list(zip(flags.handle_seconds, flags._redelivered, strict=True)) == [(42, False), (43, True), (44, True)]


def test_a_rule_on_the_latest_delivery_joins_on_the_other_tables_key():
    # The latest delivery is found through the other table's `_redelivered` flag, which is about its key.
    rules = [(t, r) for t, c in CONTRACTS.items() for r in c.cross_rules if r.of_latest_delivery]
    assert rules
    for table, rule in rules:
        assert (rule.join_column,) == tuple(CONTRACTS[rule.other_table].key), (table, rule.other_table)
