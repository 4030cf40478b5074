"""Resources: the landing and warehouse folders, the published warehouse, and the dbt CLI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.dagster_defs.project import dbt_project
from orchestration.dbt_runner import dbt_executable
from orchestration.project import DEFAULT_LANDING, DEFAULT_WAREHOUSE, WAREHOUSE_ENV
from orchestration.run_lock import warehouse_lock


class WarehouseResource(dg.ConfigurableResource):
    """Where landing files arrive and where the warehouse lives, and the gate's settings."""

    landing: str
    warehouse: str
    target: str = "duckdb"  # dbt target: duckdb (gate and publish apply) or spark
    freshness_hours: float = 48.0
    full_refresh: bool = False  # rebuild every incremental model from scratch

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WarehouseResource]:
        """A run holds the warehouse's run lock from its first step to its last, however it was started
        (the job runs in one process: see jobs.py); a sensor that only reads holds nothing."""
        if context.run is None:
            yield self
            return
        with warehouse_lock(self.warehouse_path, f"Dagster run {context.run.run_id}"):
            yield self

    @property
    def landing_path(self) -> Path:
        return Path(self.landing)

    @property
    def warehouse_path(self) -> Path:
        return Path(self.warehouse)


class PublishedWarehouseResource(dg.ConfigurableResource):
    """The published warehouse, for assets that only read it (the report): no run lock, since readers
    never block a build (run_lock.py)."""

    warehouse: str


def resources() -> dict:
    """Configured from the environment of the process that serves the definitions (`dagster dev`,
    `modqa ui`), defaulting as the CLI does; `modqa run` passes its folders in the run config instead."""
    landing = os.environ.get("MODQA_LANDING", str(DEFAULT_LANDING))
    warehouse = os.environ.get(WAREHOUSE_ENV, str(DEFAULT_WAREHOUSE))
    return {
        "warehouse": WarehouseResource(landing=landing, warehouse=warehouse),
        "published": PublishedWarehouseResource(warehouse=warehouse),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
    }
