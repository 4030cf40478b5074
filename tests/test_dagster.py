"""Dagster definitions: the graph's layers and checks, the landing sensor, the daily schedule and the
UI. Materializing the whole graph (what `modqa run` does, in-process) and a blocking check stopping
the publish are exercised through the CLI in test_publish_gate.py and test_cli.py."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from orchestration.dagster_defs.loading import load_definitions

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def defs(small_landing, built_warehouse):
    return load_definitions(built_warehouse)


def test_the_graph_has_every_layer_and_its_checks(defs):
    graph = defs.get_repository_def().asset_graph
    keys = set(graph.get_all_asset_keys())
    groups = {graph.get(key).group_name for key in keys}
    assert {"raw", "reference", "staging", "intermediate", "marts", "monitoring", "published"} <= groups
    for table in ("items", "decisions", "audits", "appeals", "calibration_labels", "roster", "shifts"):
        node = graph.get(dg.AssetKey(["raw", table]))
        assert node.partitions_def is not None and node.partitions_def.get_partition_keys()[0] == "2020-01-01"
    checks = set(graph.asset_check_keys)
    gx = {check.asset_key for check in checks if check.name == "great_expectations"}
    marts = {key for key in keys if key.path[0] in ("marts", "monitoring")}
    assert marts <= gx  # a blocking GX suite on every published mart
    assert all(graph.get_check_spec(c).blocking for c in checks if c.name == "great_expectations")
    dbt_tests = [c for c in checks if c.name.startswith(("unique_", "not_null_", "relationships_"))]
    assert len(dbt_tests) > 50  # dbt data tests surface as asset checks
    publish = graph.get(dg.AssetKey(["published", "warehouse"]))
    assert marts <= set(publish.parent_keys)
    job = defs.resolve_job_def("modqa_pipeline")
    pools = {node.name: node.definition.pool for node in job.graph.node_dict.values()}
    writers = [name for name in pools if name.startswith(("raw__", "dbt_warehouse", "published__"))]
    assert writers and all(pools[name] == "duckdb_writer" for name in writers)
    assert {s.name for s in defs.get_repository_def().schedule_defs} == {"modqa_daily", "modqa_monthly_report"}
    assert {"landing_sensor", "kpi_freshness_sensor"} <= {s.name for s in defs.get_repository_def().sensor_defs}


def test_schedule_runs_yesterdays_partition(defs):
    schedule = defs.get_repository_def().get_schedule_def("modqa_daily")
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 11, 22, 2, 0, tzinfo=UTC))
    (request,) = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "2026-11-21"


def evaluate_sensor(defs, landing, warehouse, cursor=None):
    from orchestration.dagster_defs.resources import WarehouseResource

    repository = defs.get_repository_def()
    sensor = repository.get_sensor_def("landing_sensor")
    # As the daemon does: the resource has a lifecycle (a run holds the warehouse lock through it).
    with dg.instance_for_test() as instance, dg.build_sensor_context(
            instance=instance, cursor=cursor, repository_def=repository,
            resources={"warehouse": WarehouseResource(landing=str(landing), warehouse=str(warehouse))}) as context:
        result = sensor.evaluate_tick(context)
    return result.run_requests or [], result.cursor


def test_sensor_requests_exactly_the_partitions_with_new_files(defs, small_landing, built_warehouse, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(small_landing, landing)
    requests, cursor = evaluate_sensor(defs, landing, built_warehouse)
    assert requests == []  # every file is loaded already
    for table, day in [("decisions", "2026-09-20"), ("audits", "2026-09-20"), ("audits", "2026-09-22")]:
        folder = landing / table / day
        folder.mkdir(parents=True)
        source = next((small_landing / table).rglob("*.*"))
        shutil.copy(source, folder / f"redelivery{source.suffix}")
    requests, cursor = evaluate_sensor(defs, landing, built_warehouse, cursor)
    assert sorted(r.partition_key for r in requests) == ["2026-09-20", "2026-09-22"]
    again, _ = evaluate_sensor(defs, landing, built_warehouse, cursor)
    assert again == []  # the cursor remembers what was requested; a restart does not re-trigger


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["data"]


def test_the_ui_serves_the_runs_events_and_checks_on_localhost(small_landing, built_warehouse):
    """The UI reads the run the pipeline wrote, through the instance's event log (event_storage.py): its
    materializations and its asset check evaluations, for marts BI reads (fct_decisions' gate check only
    warns on the small build: its latest decision is old)."""
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "modqa"), "ui", "--landing", str(small_landing), "--warehouse",
         str(built_warehouse), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline, answer = time.monotonic() + 180, None
        while time.monotonic() < deadline and answer is None:
            time.sleep(2)
            try:
                answer = graphql(port, "{ version }")
            except OSError:
                assert process.poll() is None, "the UI exited"
        assert answer is not None and answer["version"], "GraphQL did not answer within 180 s"
        runs = graphql(port, "{ runsOrError { ... on Runs { results { runId status } } } }")["runsOrError"]["results"]
        assert [run["status"] for run in runs] == ["SUCCESS"]
        asset = graphql(port, """{ assetOrError(assetKey: {path: ["marts", "fct_decisions"]}) {
            ... on Asset { assetMaterializations(limit: 1) { runId } } } }""")["assetOrError"]
        assert [m["runId"] for m in asset["assetMaterializations"]] == [runs[0]["runId"]]
        checks = graphql(port, """{ assetCheckExecutions(assetKey: {path: ["marts", "dim_vendor"]},
            checkName: "great_expectations", limit: 1) { runId status } }""")["assetCheckExecutions"]
        assert checks == [{"runId": runs[0]["runId"], "status": "SUCCEEDED"}]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
