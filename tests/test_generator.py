"""The sample-data generator: byte-identical for a seed, consistent with the seeds and the landing
contract, and realistic in the ways the warehouse is meant to reveal."""

from __future__ import annotations

import hashlib
from datetime import date

import duckdb
import pytest

from orchestration.errors import UsageError
from orchestration.generator import generate
from orchestration.ingest.contracts import CONTRACTS
from orchestration.project import seed_values
from tests import oracle


def digest(folder) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("file_format", ["csv", "parquet", "jsonl"])
def test_same_seed_gives_byte_identical_files(tmp_path, file_format):
    args = {"days": 9, "decisions_per_day": 400, "seed": 5, "start": date(2026, 3, 1), "file_format": file_format}
    generate(tmp_path / "a", **args)
    generate(tmp_path / "b", **args)
    generate(tmp_path / "c", **(args | {"seed": 6}))
    first = digest(tmp_path / "a")
    assert first == digest(tmp_path / "b")
    assert first != digest(tmp_path / "c")
    assert {name.split("/")[0] for name in first} == set(CONTRACTS)


def test_simulating_in_ranges_of_days_gives_the_same_files(tmp_path):
    """Large runs simulate a few days at a time; late rows (audits weeks later, settled disputes,
    resolved appeals) must still land in the same files as when all days are simulated at once."""
    args = {"days": 12, "decisions_per_day": 300, "seed": 8, "start": date(2026, 4, 1), "file_format": "mixed"}
    ranges = []
    generate(tmp_path / "whole", **args)
    generate(tmp_path / "ranges", **args, range_decisions=600, on_range=ranges.append)
    assert [(r.first_day, r.last_day) for r in ranges] == [(1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12)]
    assert digest(tmp_path / "whole") == digest(tmp_path / "ranges")


def test_refuses_to_mix_into_existing_landing_files(tmp_path):
    generate(tmp_path, days=2, decisions_per_day=50, seed=1, start=date(2026, 3, 1))
    with pytest.raises(UsageError, match="already holds landing files"):
        generate(tmp_path, days=2, decisions_per_day=50, seed=1, start=date(2026, 3, 1))


def test_landing_files_follow_the_contract_and_the_seeds(small_landing):
    for table, contract in CONTRACTS.items():
        frame = oracle.read_table(small_landing, table)
        assert set(contract.column_names) <= set(frame.columns), table
        assert not frame.empty, table
    items = oracle.read_table(small_landing, "items")
    assert set(items["queue_id"]) == set(seed_values("queues", "queue_id"))
    assert set(items["market"]) <= set(seed_values("markets", "market"))
    decisions = oracle.read_table(small_landing, "decisions")
    rejected = decisions[decisions["verdict"] == "reject"]
    assert rejected["policy_code"].notna().all()
    assert set(rejected["policy_code"]) <= set(seed_values("policies", "policy_code"))
    audits = oracle.read_table(small_landing, "audits")
    assert set(audits["error_root_cause"].dropna()) <= set(seed_values("root_causes", "root_cause_code"))


@pytest.fixture(scope="module")
def world(small_landing):
    """The generated landing files as DuckDB views (latest delivery of each key)."""
    con = duckdb.connect()
    for table in CONTRACTS:
        frame = oracle.read_table(small_landing, table)  # noqa: F841 - registered below
        con.register(table, frame)
    decisions = oracle.decisions_with_vendor(small_landing)
    verdicts = oracle.effective_verdicts(small_landing, decisions)
    con.register("judged", decisions.merge(verdicts, on="decision_id"))
    yield con
    con.close()


def test_vendors_differ_in_quality_and_automation_has_its_own_profile(world):
    error_rates = dict(world.execute("""
        select vendor_id, avg(case when verdict <> effective_qa_verdict then 1.0 else 0 end)
        from judged where is_in_sample group by vendor_id""").fetchall())
    assert {"acme", "globex", "northwind", "in_house", "automation"} <= set(error_rates)
    assert max(error_rates.values()) > 1.5 * min(error_rates.values())


def test_errors_split_between_over_and_under_enforcement_by_policy(world):
    fp_share = dict(world.execute("""
        select coalesce(case when verdict = 'reject' then policy_code end, effective_qa_policy_code),
               avg(case when verdict = 'reject' then 1.0 else 0 end)
        from judged where verdict <> effective_qa_verdict
        group by 1 having count(*) >= 5""").fetchall())
    assert min(fp_share.values()) < 0.5 < max(fp_share.values())


def test_weekday_seasonality_and_sla_breaches(world):
    weekday, weekend = world.execute("""
        select avg(case when isodow(d) < 6 then n end), avg(case when isodow(d) >= 6 then n end)
        from (select cast(enqueued_at as date) d, count(*) n from items group by 1)""").fetchone()
    assert weekday > 1.15 * weekend


def test_audits_cover_every_type_with_known_rates_late_deliveries_and_disputes(small_landing):
    deliveries = []
    for path in sorted((small_landing / "audits").rglob("*.*")):
        frame = oracle._normalise(oracle._read_file(path))
        frame["delivered_on"] = path.parent.name
        deliveries.append(frame)
    import pandas as pd

    audits = pd.concat(deliveries)
    assert set(audits["audit_type"]) == {"random", "targeted", "appeal", "escalation"}
    random = audits[audits["audit_type"] == "random"]
    assert random["sampling_rate"].notna().all() and random["sampling_rate"].astype(float).between(0, 1).all()
    assert audits[audits["audit_type"] != "random"]["sampling_rate"].isna().all()
    late = (pd.to_datetime(audits["delivered_on"]) - audits["audited_at"].dt.normalize()).dt.days
    settled = audits[audits["dispute_outcome"].isin(["upheld", "rejected"])]
    assert (late[audits["dispute_outcome"].isin(["upheld", "rejected"])] > 0).all()  # re-delivered later
    assert set(settled["dispute_outcome"]) == {"upheld", "rejected"}
    assert (audits["dispute_outcome"] == "pending").any()


def test_roster_changes_appeals_calibration_and_shifts(world):
    moves = world.execute("""
        select count(*) from (select person_id from roster group by person_id
                              having count(distinct vendor_id || team) > 1)""").fetchone()[0]
    terminated = world.execute("select count(distinct person_id) from roster where status = 'terminated'").fetchone()[0]
    assert moves > 0 and terminated > 0
    outcomes = dict(world.execute(
        "select coalesce(appeal_outcome, 'open'), count(*) from appeals group by 1").fetchall())
    assert {"open", "overturned", "upheld"} <= set(outcomes)
    experts = world.execute(
        "select count(*) from (select session_id from calibration_labels group by 1 "
        "having count(distinct case when is_expert then rater_id end) = 1)").fetchone()[0]
    sessions = world.execute("select count(distinct session_id) from calibration_labels").fetchone()[0]
    assert sessions > 0 and experts == sessions
    shrinkage = world.execute(
        "select avg(1 - logged_in_minutes::double / scheduled_minutes) from shifts").fetchone()[0]
    assert 0.03 < shrinkage < 0.3
