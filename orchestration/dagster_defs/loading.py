"""Loading the Dagster definitions for a warehouse: its instance home (under the warehouse), the
environment of a process that serves them, and the dbt manifest. The runner (orchestration/pipeline.py),
`modqa ui` and the code location for `dagster dev` all load them through here."""

from __future__ import annotations

import json
import os
from pathlib import Path

from orchestration.project import layout

INSTANCE_CONFIG = """\
# Written by modqa. Local instance for this warehouse: runs, events and schedules in SQLite here.
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1   # every DuckDB writer shares the pool `duckdb_writer`: one at a time
# Dagster's sharded SQLite event log, in its default place, with its connections kept open
# (orchestration/dagster_defs/event_storage.py).
event_log_storage:
  module: orchestration.dagster_defs.event_storage
  class: PooledSqliteEventLogStorage
  config:
    base_dir: {events}
"""


def dagster_home(warehouse: Path) -> Path:
    home = layout(warehouse).root / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    # The event log's folder is named in full, so the file is rewritten when the warehouse has moved.
    text = INSTANCE_CONFIG.format(events=json.dumps(str(home / "history" / "runs")))
    if not config.exists() or config.read_text() != text:
        config.write_text(text)
    return home


def dagster_environment(landing: Path, warehouse: Path) -> dict[str, str]:
    """The environment of a process that serves the definitions (`dagster dev`): the code location reads
    its landing and warehouse folders from it, and Dagster its instance home."""
    return {**os.environ, "MODQA_LANDING": str(Path(landing).resolve()),
            "MODQA_WAREHOUSE": str(layout(warehouse).root), "DAGSTER_HOME": str(dagster_home(warehouse))}


def load_definitions(warehouse: Path):
    """The definitions, after parsing the dbt project if it changed (parse messages go to `warehouse`'s
    dbt log). Resources name the warehouse through the environment (a code location's configuration);
    the runner passes its own in the run config."""
    from orchestration.dagster_defs.project import prepare_manifest

    prepare_manifest(warehouse)
    from orchestration.dagster_defs.definitions import defs

    return defs
