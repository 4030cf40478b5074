"""The `modqa` console script as a user runs it: exit codes, progress, summary, readable errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

MODQA = str(Path(sys.executable).parent / "modqa")


def modqa(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([MODQA, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def test_errors_are_one_readable_line_unless_debug(tmp_path):
    missing = tmp_path / "nowhere"
    failed = modqa("run", "--landing", str(missing), "--warehouse", str(tmp_path / "w"))
    assert failed.returncode == 2
    assert f"error: landing folder {missing} does not exist" in " ".join(failed.stderr.split())
    assert "Traceback" not in failed.stderr
    debug = modqa("--debug", "run", "--landing", str(missing), "--warehouse", str(tmp_path / "w"))
    assert debug.returncode == 2 and "Traceback" in debug.stderr


def test_summary_without_a_published_warehouse_says_what_to_do(tmp_path):
    shown = modqa("summary", "--warehouse", str(tmp_path))
    assert shown.returncode == 2 and "run `modqa run` first" in shown.stderr


def test_generate_rejects_bad_arguments(tmp_path):
    bad = modqa("generate", "--out", str(tmp_path), "--days", "0")
    assert bad.returncode == 2 and "--days" in bad.stderr


def test_the_spark_target_without_its_extra_says_which_to_install(monkeypatch):
    """What a machine without the spark extra sees (here pyspark is installed, so its absence is staged)."""
    import importlib.util

    import pytest

    from orchestration.dbt_runner import require_engine
    from orchestration.errors import UsageError

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pyspark" else real(name, *a))
    with pytest.raises(UsageError, match=r"pip install -e '\.\[spark\]'"):
        require_engine("spark")
    require_engine("duckdb")
