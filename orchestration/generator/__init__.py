"""Sample-data generator: a realistic QA programme as landing files for all seven tables."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from orchestration.errors import UsageError
from orchestration.generator.simulate import SimulationSpec, simulate
from orchestration.generator.writer import FORMATS, write_table
from orchestration.ingest.contracts import TABLES


@dataclass(frozen=True)
class GeneratedTable:
    table: str
    rows: int
    files: int
    seconds: float


def default_start(days: int) -> date:
    """Data that ends yesterday (UTC), so a demo warehouse looks fresh."""
    return datetime.now(UTC).date() - timedelta(days=days)


def generate(
    out: Path,
    days: int,
    decisions_per_day: int,
    seed: int,
    start: date,
    file_format: str = "csv",
    threads: int | None = None,
    on_table: Callable[[GeneratedTable], None] | None = None,
) -> list[GeneratedTable]:
    """Simulate and write landing files. Same arguments → byte-identical files."""
    if days < 1 or decisions_per_day < 1:
        raise UsageError("--days and --decisions-per-day must be at least 1")
    if file_format not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {file_format!r}")
    out = Path(out)
    existing = [t for t in TABLES if (out / t).exists() and any((out / t).rglob("*.*"))]
    if existing:
        raise UsageError(
            f"{out} already holds landing files for {', '.join(existing)}; "
            "choose an empty --out folder (generated files are never mixed into existing data)"
        )
    out.mkdir(parents=True, exist_ok=True)
    # The simulation holds every table until it is written: bound its memory and let DuckDB spill to
    # disk beyond that (10 M decisions: 6.3 GB peak). It does not stretch to 100 M decisions: with 6 GB
    # an operator that cannot spill runs out of memory, and with 12 GB the spill filled 60 GB of disk.
    # Generating day ranges one after another is the way there (open).
    spill = tempfile.TemporaryDirectory(prefix="modqa-generate-")
    con = duckdb.connect(config={"memory_limit": os.environ.get("MODQA_GENERATE_MEMORY_LIMIT", "6GB"),
                                 "temp_directory": spill.name})
    if threads:
        con.execute(f"set threads = {int(threads)}")
    spec = SimulationSpec(start=start, days=days, decisions_per_day=decisions_per_day, seed=seed)
    started = time.perf_counter()
    simulate(con, spec)
    if on_table:
        on_table(GeneratedTable("(simulation)", 0, 0, time.perf_counter() - started))
    results = []
    for table in TABLES:
        started = time.perf_counter()
        rows, files = write_table(con, table, out, file_format)
        result = GeneratedTable(table, rows, files, time.perf_counter() - started)
        results.append(result)
        if on_table:
            on_table(result)
    con.close()
    spill.cleanup()
    return results
