"""Shared fixtures: small generated landing data and one warehouse built from it by the real
pipeline (real DuckDB, real dbt), reused by every test that only reads it."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console

from orchestration.generator import generate
from orchestration.pipeline import run_pipeline
from orchestration.run_lock import exclusive

SMALL = {"days": 14, "decisions_per_day": 1500, "seed": 11, "start": date(2026, 9, 1), "file_format": "mixed"}


def quiet_console() -> Console:
    return Console(file=io.StringIO(), width=160)


def built_once(tmp_path_factory, worker_id: str, name: str, make: Callable[[Path], None]) -> Path:
    """`make(folder)` done once per test session, not once per xdist worker: the first worker to get
    here makes it in the session's shared temporary folder while the others wait on a lock."""
    if worker_id == "master":  # not under xdist
        folder = tmp_path_factory.mktemp(name)
        make(folder)
        return folder
    shared = tmp_path_factory.getbasetemp().parent
    folder, done = shared / name, shared / f"{name}.done"
    with exclusive(shared / f"{name}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def small_landing(tmp_path_factory, worker_id) -> Path:
    """Read-only: a test that lands files copies it first."""
    return built_once(tmp_path_factory, worker_id, "small_landing", lambda landing: generate(landing, **SMALL))


@pytest.fixture(scope="session")
def built_warehouse(small_landing, tmp_path_factory, worker_id) -> Path:
    """Built once per session; each worker gets its own copy, since some tests write to it (the copy's
    published views read the Parquet of the shared build, which no test changes)."""
    shared = built_once(tmp_path_factory, worker_id, "shared_warehouse",
                        lambda warehouse: run_pipeline(small_landing, warehouse, quiet_console()))
    if worker_id == "master":
        return shared
    warehouse = tmp_path_factory.getbasetemp() / "warehouse"
    shutil.copytree(shared, warehouse, symlinks=True)
    return warehouse


def pytest_collection_modifyitems(items) -> None:
    """A test that reads the shared warehouse is in the slow tier whatever its file says, so `make
    test-fast` (-m "not slow") never builds one."""
    for item in items:
        if {"built_warehouse", "small_landing"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
