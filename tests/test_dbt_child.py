"""`modqa-dbt` (orchestration/dbt_child.py): dbt for one warehouse, told by arguments."""

from __future__ import annotations

import json
import subprocess

from orchestration.dagster_defs.project import prepare_manifest
from orchestration.dbt_child import split_options
from orchestration.dbt_runner import dbt_command
from orchestration.project import PROJECT_DIR


def test_the_shims_options_come_first_and_the_rest_is_dbts(tmp_path):
    warehouse, env, rest = split_options(["--warehouse", str(tmp_path), "--env", "A=1", "--env", "B=x=y",
                                          "build", "--env", "not-ours"])
    assert warehouse == tmp_path.resolve()
    assert env == {"A": "1", "B": "x=y"}
    assert rest == ["build", "--env", "not-ours"]
    assert split_options(["parse", "--quiet"]) == (None, {}, ["parse", "--quiet"])


def parse_events(warehouse) -> list[dict]:
    command = dbt_command(["parse", "--target", "duckdb", "--log-format", "json"], warehouse=warehouse)
    result = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_a_new_warehouse_starts_from_the_projects_parse_and_dbt_works_in_it(tmp_path):
    """The profile reads the same for every warehouse, so dbt accepts the project's parse state for a
    warehouse it has never seen (dbt says 'Unable to do partial parsing' before any full parse, also
    when it finds no parse state at all), and it writes
    its artifacts and logs in that warehouse, not in the project."""
    prepare_manifest(tmp_path / "first")
    for name in ("second", "third"):
        warehouse = tmp_path / name
        events = parse_events(warehouse)
        refused = [e["info"]["msg"] for e in events if e["info"]["name"] == "UnableToPartialParse"]
        assert not refused, refused
        assert (warehouse / "build" / "dbt_target" / "manifest.json").is_file()
        assert (warehouse / "build" / "dbt_logs" / "dbt.log").is_file()
