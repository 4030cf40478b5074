"""The instance's event log (orchestration/dagster_defs/event_storage.py) keeps its connections open: what
a run stores is read back by another instance on the same folder (as `modqa ui` reads what `modqa run`
wrote), and a wipe, which deletes the run databases, leaves nothing writing to a deleted file."""

from __future__ import annotations

import dagster as dg

from orchestration.dagster_defs.event_storage import PooledSqliteEventLogStorage
from orchestration.dagster_defs.loading import dagster_home


@dg.asset
def answer() -> int:
    return 42


@dg.asset_check(asset=answer)
def answer_is_even() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def materializations(instance: dg.DagsterInstance) -> list[str]:
    records = instance.fetch_materializations(answer.key, limit=10).records
    return [record.run_id for record in records]


def test_events_are_read_back_by_another_instance_and_survive_a_wipe(tmp_path):
    home = str(dagster_home(tmp_path))
    with dg.DagsterInstance.from_config(home) as writer:
        assert isinstance(writer.event_log_storage, PooledSqliteEventLogStorage)
        first = dg.materialize([answer, answer_is_even], instance=writer)
        assert first.success
        with dg.DagsterInstance.from_config(home) as reader:
            assert materializations(reader) == [first.run_id]
            (check,) = reader.event_log_storage.get_asset_check_execution_history(answer_is_even.check_key, limit=5)
            assert check.run_id == first.run_id
        writer.wipe()
        assert writer.get_runs() == [] and materializations(writer) == []
        second = dg.materialize([answer], instance=writer)
    with dg.DagsterInstance.from_config(home) as reader:
        assert [run.run_id for run in reader.get_runs()] == [second.run_id]
        assert materializations(reader) == [second.run_id]
