"""Where the dbt project lives and how the warehouse folder is laid out.

Code is handed the warehouse folder explicitly; MODQA_WAREHOUSE names it only where a process starts
from its environment (dbt's profile, through modqa-dbt, and the Dagster code location).
"""

from __future__ import annotations

import csv
import os
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
SEEDS_DIR = PROJECT_DIR / "seeds"
# The project's own `dbt parse`: the manifest Dagster loads, and the parse state a warehouse's first
# build starts from (dbt_child.py).
MANIFEST_DIR = PROJECT_DIR / "target" / "dagster"
# dbt's parse state per profile target, shared by every warehouse (dbt_child.py): the build's is the
# project's own parse; the docs site's (target `published`) is kept by the last docs generation.
PARSE_STATE_DIRS = {"duckdb": MANIFEST_DIR, "published": PROJECT_DIR / "target" / "published"}
WAREHOUSE_ENV = "MODQA_WAREHOUSE"
DEFAULT_LANDING = Path("data/landing")
DEFAULT_WAREHOUSE = Path("data/warehouse")


def reader_memory_limit() -> str:
    """DuckDB memory bound of the phases that read a finished build (the gate, the Parquet export).
    DuckDB's own default is 80 % of RAM; beyond the bound it spills to disk instead."""
    return os.environ.get("MODQA_READER_MEMORY_LIMIT", "4GB")


@dataclass(frozen=True)
class WarehouseLayout:
    """Every path the pipeline writes, derived from the warehouse folder."""

    root: Path

    @property
    def raw(self) -> Path:  # validated raw layer (Parquet), read by dbt on every engine
        return self.root / "raw"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def build_database(self) -> Path:  # what dbt writes; never read by BI
        return self.build_dir / "build.duckdb"

    @property
    def published_database(self) -> Path:  # what BI reads
        return self.root / "warehouse.duckdb"

    @property
    def parquet_dir(self) -> Path:
        return self.root / "parquet"

    @property
    def dbt_target_dir(self) -> Path:
        return self.build_dir / "dbt_target"

    @property
    def dbt_log_dir(self) -> Path:
        return self.build_dir / "dbt_logs"

    @property
    def logs_dir(self) -> Path:  # Dagster's log of each run
        return self.root / "logs"

    def run_log(self, run_id: str) -> Path:
        return self.logs_dir / f"dagster-run-{run_id}.log"

    @property
    def temp_dir(self) -> Path:  # DuckDB spill space
        return self.build_dir / "tmp"

    @property
    def gx_dir(self) -> Path:  # Great Expectations Data Docs of the last validation
        return self.root / "gx"

    @property
    def spark_warehouse(self) -> Path:  # the `spark` target's tables, as Parquet
        return self.root / "spark" / "warehouse"

    def spark_table(self, schema: str, table: str) -> Path:
        return self.spark_warehouse / f"{schema}.db" / table

    def target_build(self, target: str) -> Path:
        """What a dbt target's build writes: the DuckDB build file, or the Spark target's tables. The
        record of what it was built on (orchestration/incremental.py) lives in the folder beside it, so
        each target builds incrementally on its own previous build."""
        return self.build_database if target == "duckdb" else self.spark_warehouse


def layout(warehouse: Path | str) -> WarehouseLayout:
    return WarehouseLayout(Path(warehouse).resolve())


READER_GROUP_ENV = "MODQA_READER_GROUP"


def reader_group() -> str | None:
    """The group BI reads the published warehouse with (unset: the owner's own group)."""
    return os.environ.get(READER_GROUP_ENV) or None


def restrict_access(lay: WarehouseLayout) -> None:
    """The warehouse is not world-readable: its folder admits the owner and the reader group only, and
    the raw and build layers (whole input records, undeclared fields) the owner alone."""
    lay.root.mkdir(parents=True, exist_ok=True)
    group = reader_group()
    if group:
        shutil.chown(lay.root, group=group)
    os.chmod(lay.root, 0o750)
    for private in (lay.raw, lay.build_dir):
        private.mkdir(parents=True, exist_ok=True)
        os.chmod(private, 0o700)


def share_with_readers(paths: list[Path]) -> None:
    """Hand published files and folders to the reader group, when one is set (group read, never write)."""
    group = reader_group()
    if not group:
        return
    for path in paths:
        for item in [path, *(path.rglob("*") if path.is_dir() else [])]:
            shutil.chown(item, group=group)
            os.chmod(item, 0o750 if item.is_dir() else 0o640)


@cache
def read_seed(name: str) -> tuple[dict[str, str], ...]:
    """Rows of seeds/<name>.csv as dicts (reference data shared by dbt, ingest and the generator)."""
    with open(SEEDS_DIR / f"{name}.csv", newline="", encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


def seed_values(name: str, column: str) -> tuple[str, ...]:
    return tuple(row[column] for row in read_seed(name))


@cache
def project_vars() -> dict:
    """The dbt project's vars (dbt_project.yml): settings that ingest shares with the models."""
    import yaml

    return yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
