"""`dagster definitions validate` (and so `dagster dev`) works from the project root with no argument:
pyproject.toml's [tool.dagster] names the code location."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.project import PROJECT_DIR

pytestmark = pytest.mark.slow


def test_dagster_definitions_validate_from_the_project_root(tmp_path):
    env = {**os.environ, "MODQA_WAREHOUSE": str(tmp_path / "warehouse"), "MODQA_LANDING": str(tmp_path / "landing"),
           "DAGSTER_HOME": str(tmp_path / "dagster_home")}
    (tmp_path / "dagster_home").mkdir()
    dagster = Path(sys.executable).parent / "dagster"
    ran = subprocess.run([str(dagster), "definitions", "validate"], cwd=PROJECT_DIR, env=env, capture_output=True,
                         text=True, timeout=300)
    output = ran.stdout + ran.stderr
    assert ran.returncode == 0, output[-3000:]
    assert "Validation successful for code location modqa" in output
