"""The one state record of a build folder (orchestration/incremental.py): what the last successful build
included, and what the last build that passed the gate included. Hand-worked sequences of runs."""

from __future__ import annotations

from orchestration.incremental import (
    SINCE_ENV,
    BuildState,
    incremental_env,
    read_state,
    record_build,
    record_validation,
)
from orchestration.project import layout


def test_a_build_keeps_the_last_validated_one_and_the_gate_moves_or_clears_it(tmp_path):
    build_dir = layout(tmp_path).build_dir
    build_dir.mkdir(parents=True)
    assert read_state(build_dir) == BuildState()  # nothing built: a full build, nothing to scope on

    record_build(tmp_path, "load-1")
    assert read_state(build_dir) == BuildState("load-1", None)  # built, not yet validated
    record_validation(build_dir, passed=True)
    assert read_state(build_dir) == BuildState("load-1", "load-1")

    record_build(tmp_path, "load-2")  # the next build is based on the validated one: the gate may scope it
    assert read_state(build_dir) == BuildState("load-2", "load-1")
    record_validation(build_dir, passed=False)
    assert read_state(build_dir) == BuildState("load-2", None)

    record_build(tmp_path, "load-3")  # built on one that failed: nothing validated to scope on
    assert read_state(build_dir) == BuildState("load-3", None)
    record_validation(build_dir, passed=True)
    assert read_state(build_dir) == BuildState("load-3", "load-3")

    record_build(tmp_path, None)  # a build of nothing: no state, the next build is a full one
    assert read_state(build_dir) == BuildState()


def test_each_target_builds_on_its_own_previous_build(tmp_path):
    """A Spark build's record does not make the next DuckDB build incremental on data it never built
    (or the other way round): each target's state lives beside its own build."""
    lay = layout(tmp_path)
    lay.build_dir.mkdir(parents=True)
    lay.spark_warehouse.mkdir(parents=True)
    record_build(tmp_path, "load-2", target="spark")
    assert read_state(lay.spark_warehouse.parent) == BuildState("load-2", None)
    assert read_state(lay.build_dir) == BuildState()
    assert incremental_env(tmp_path, target="spark")[SINCE_ENV] == "load-2"
    assert incremental_env(tmp_path, target="duckdb")[SINCE_ENV] == ""  # no DuckDB build yet: a full one
