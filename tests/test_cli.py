"""The `modqa` console script as a user runs it: exit codes, progress, summary, readable errors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

MODQA = str(Path(sys.executable).parent / "modqa")


def modqa(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([MODQA, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


@pytest.mark.slow
def test_generate_then_run_prints_progress_and_the_kpi_summary(tmp_path):
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    generated = modqa("generate", "--out", str(landing), "--days", "4", "--decisions-per-day", "300",
                      "--seed", "3", "--start", "2026-05-04")
    assert generated.returncode == 0, generated.stderr
    assert "decisions" in generated.stdout and "files" in generated.stdout
    ran = modqa("run", "--landing", str(landing), "--warehouse", str(warehouse))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    for expected in ("ingest landing files", "ingest decisions", "dbt build (duckdb)",
                     "validate build (Great Expectations)", "publish", "KPI summary 2026-05-04", "vendor acme",
                     "False-negative rate"):
        assert expected in ran.stdout
    assert (warehouse / "warehouse.duckdb").exists()
    again = modqa("run", "--landing", str(landing), "--warehouse", str(warehouse))
    assert again.returncode == 0
    assert re.search(r"ingest decisions\s+0 new files\s+4 already loaded\s+0 rows loaded", again.stdout)
    shown = modqa("summary", "--warehouse", str(warehouse))
    assert shown.returncode == 0 and "vendor globex" in shown.stdout


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
