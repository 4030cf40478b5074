"""What an incremental dbt build is told (the loads it has not seen yet), and the one record of what was
built and validated.

After a successful build the state file beside the target's build (build/ for DuckDB, spark/ for Spark:
each target builds on its own previous build) records the newest load the build included; the next build
gets it as `since_load_id` (environment variable MODQA_SINCE_LOAD_ID), and `int_reopened_decisions`
re-opens every decision (and day) those later loads touch. The state is written only after dbt succeeds,
so a failed or killed build is simply redone (over a superset of days) by the next run; a missing build or
state means a full build. The same file records the newest load of the last build the publish gate
passed: the gate validates an incremental build by its rebuilt rows only when the build it was based on
is that one (expectations/scope.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from orchestration.ingest.store import RawStore
from orchestration.project import layout

STATE_FILE = "incremental_state.json"


def newest_load_id(warehouse: Path) -> str | None:
    """The newest load committed to the raw layer (batch files are named <load id>-<table>-<n>)."""
    batches = RawStore(layout(warehouse).raw).committed_batches()
    return max((batch.split("-", 1)[0] for batch in batches), default=None)


@dataclass(frozen=True)
class BuildState:
    built_through: str | None = None  # the newest load the last successful build included
    validated_through: str | None = None  # the same for the last build that passed the gate, if it still stands


def read_state(build_dir: Path) -> BuildState:
    """The state of the build in `build_dir` (nothing recorded: no build, or one made before the record)."""
    path = Path(build_dir) / STATE_FILE
    if not path.exists():
        return BuildState()
    state = json.loads(path.read_text())
    return BuildState(state.get("built_through_load_id"), state.get("validated_through_load_id"))


def write_state(build_dir: Path, state: BuildState) -> None:
    path = Path(build_dir) / STATE_FILE
    if state.built_through is None:
        path.unlink(missing_ok=True)
        return
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"built_through_load_id": state.built_through,
                                     "validated_through_load_id": state.validated_through}))
    temporary.replace(path)


SINCE_ENV = "MODQA_SINCE_LOAD_ID"
REBUILD_FROM_ENV = "MODQA_REBUILD_FROM_DATE"


def incremental_env(warehouse: Path, full_refresh: bool = False, rebuild_from: date | None = None,
                    target: str = "duckdb") -> dict[str, str]:
    """What the next dbt build of `target` is told: what its previous build has already seen, and how far
    back a backfill reaches. Environment variables that dbt reads only when models run
    (macros/incremental_run.sql), so that a new value does not make it re-parse the project. Both are
    always set (empty: none), so that a value left in the calling environment never leaks into a build."""
    env = {SINCE_ENV: "", REBUILD_FROM_ENV: ""}
    build = layout(warehouse).target_build(target)
    if not full_refresh and build.exists():
        env[SINCE_ENV] = read_state(build.parent).built_through or ""
    if rebuild_from is not None:
        env[REBUILD_FROM_ENV] = rebuild_from.isoformat()
    return env


def record_build(warehouse: Path, built_through_load_id: str | None, target: str = "duckdb") -> None:
    """After a successful build of `target`: it included every load up to `built_through_load_id`. The last
    validated build stays recorded: it is the base the gate may scope this build on."""
    build_dir = layout(warehouse).target_build(target).parent
    write_state(build_dir, BuildState(built_through_load_id, read_state(build_dir).validated_through))


def record_validation(build_dir: Path, passed: bool) -> None:
    """After the whole gate ran on the build in `build_dir`: remember it if it passed, so that the next
    build, based on it, may be validated by its rebuilt rows; forget it otherwise."""
    state = read_state(build_dir)
    write_state(build_dir, BuildState(state.built_through, state.built_through if passed else None))

