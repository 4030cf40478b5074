"""Shared fixtures: small generated landing data and one warehouse built from it by the real
pipeline (real DuckDB, real dbt), reused by every test that only reads it."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console

from orchestration.generator import generate
from orchestration.pipeline import run_pipeline

SMALL = {"days": 14, "decisions_per_day": 1500, "seed": 11, "start": date(2026, 9, 1), "file_format": "mixed"}


def quiet_console() -> Console:
    return Console(file=io.StringIO(), width=160)


@pytest.fixture(scope="session")
def small_landing(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("landing")
    generate(landing, **SMALL)
    return landing


@pytest.fixture(scope="session")
def built_warehouse(small_landing, tmp_path_factory) -> Path:
    warehouse = tmp_path_factory.mktemp("warehouse")
    run_pipeline(small_landing, warehouse, quiet_console())
    return warehouse


def pytest_collection_modifyitems(items) -> None:
    """A test that reads the shared warehouse is in the slow tier whatever its file says, so `make
    test-fast` (-m "not slow") never builds one."""
    for item in items:
        if {"built_warehouse", "small_landing"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
