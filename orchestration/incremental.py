"""What an incremental dbt build is told: the loads it has not seen yet.

After a successful build the state file records the newest load the build included; the next build
gets it as `since_load_id` (environment variable MODQA_SINCE_LOAD_ID), and `int_reopened_decisions`
re-opens every decision (and day) those later loads touch. The state is written only after dbt succeeds,
so a failed or killed build is simply redone (over a superset of days) by the next run; a missing build
database or state means a full build.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from orchestration.ingest.store import RawStore
from orchestration.project import layout

STATE_FILE = "incremental_state.json"


def newest_load_id(warehouse: Path) -> str | None:
    """The newest load committed to the raw layer (batch files are named <load id>-<table>-<n>)."""
    batches = RawStore(layout(warehouse).raw).committed_batches()
    return max((batch.split("-", 1)[0] for batch in batches), default=None)


def _state_path(warehouse: Path) -> Path:
    return layout(warehouse).build_dir / STATE_FILE


def recorded_build(build_dir: Path) -> str | None:
    """The newest load the last successful build in `build_dir` included (None: no build recorded)."""
    state = Path(build_dir) / STATE_FILE
    return json.loads(state.read_text())["built_through_load_id"] if state.exists() else None


SINCE_ENV = "MODQA_SINCE_LOAD_ID"
REBUILD_FROM_ENV = "MODQA_REBUILD_FROM_DATE"


def incremental_env(warehouse: Path, full_refresh: bool = False, rebuild_from: date | None = None) -> dict[str, str]:
    """What the next dbt build is told: what it has already seen, and how far back a backfill reaches.
    Environment variables that dbt reads only when models run (macros/incremental_run.sql), so that a new
    value does not make it re-parse the project. Both are always set (empty: none), so that a value left in
    the calling environment never leaks into a build."""
    env = {SINCE_ENV: "", REBUILD_FROM_ENV: ""}
    if not full_refresh and layout(warehouse).build_database.exists():
        env[SINCE_ENV] = recorded_build(layout(warehouse).build_dir) or ""
    if rebuild_from is not None:
        env[REBUILD_FROM_ENV] = rebuild_from.isoformat()
    return env


def record_build(warehouse: Path, built_through_load_id: str | None) -> None:
    """After a successful build: it included every load up to `built_through_load_id`."""
    state = _state_path(warehouse)
    if built_through_load_id is None:
        state.unlink(missing_ok=True)
        return
    temporary = state.with_suffix(".tmp")
    temporary.write_text(json.dumps({"built_through_load_id": built_through_load_id}))
    temporary.replace(state)

