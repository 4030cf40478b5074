"""Loading the Dagster definitions for a warehouse: its instance home (DAGSTER_HOME under the warehouse),
the environment dbt, Dagster and GX read, and the dbt manifest. The runner (orchestration/pipeline.py),
`modqa ui` and the code location for `dagster dev` all load them through here."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.project import dbt_environment, layout

INSTANCE_CONFIG = """\
# Written by modqa. Local instance for this warehouse: runs, events and schedules in SQLite here.
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1   # every DuckDB writer shares the pool `duckdb_writer`: one at a time
"""



def dagster_home(warehouse: Path) -> Path:
    home = layout(warehouse).root / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text() != INSTANCE_CONFIG:
        config.write_text(INSTANCE_CONFIG)
    return home


def prepare_environment(landing: Path, warehouse: Path) -> None:
    """One set of environment variables names the warehouse for dbt, Dagster and GX alike."""
    env = dbt_environment(warehouse)
    for name in ("MODQA_WAREHOUSE", "DBT_LOG_PATH", "DBT_PROFILES_DIR", "DBT_SEND_ANONYMOUS_USAGE_STATS"):
        os.environ[name] = env[name]
    os.environ["MODQA_LANDING"] = str(Path(landing).resolve())
    os.environ["DAGSTER_HOME"] = str(dagster_home(warehouse))


def load_definitions(landing: Path, warehouse: Path):
    prepare_environment(landing, warehouse)
    from orchestration.dagster_defs.project import prepare_manifest

    prepare_manifest(warehouse)
    from orchestration.dagster_defs.definitions import defs

    return defs
