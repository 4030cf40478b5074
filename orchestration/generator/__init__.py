"""Sample-data generator: a realistic QA programme as landing files for all eight tables."""

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
from orchestration.generator.simulate import SimulationSpec, calibrate, prepare, simulate_days
from orchestration.generator.writer import FORMATS, PER_RANGE, DeliveryWriter
from orchestration.ingest.contracts import TABLES


@dataclass(frozen=True)
class GeneratedTable:
    table: str
    rows: int
    files: int


@dataclass(frozen=True)
class SimulatedRange:
    first_day: int  # 1-based, inclusive
    last_day: int
    days: int
    seconds: float  # simulating the range and writing the files it completed


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
    on_range: Callable[[SimulatedRange], None] | None = None,
    range_decisions: int = 4_000_000,
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
    # Items and what follows from them are simulated a range of days at a time, about
    # `range_decisions` decisions per range, so memory stays flat as the data grows; DuckDB spills
    # beyond its limit rather than failing.
    spill = tempfile.TemporaryDirectory(prefix="modqa-generate-")
    con = duckdb.connect(config={"memory_limit": os.environ.get("MODQA_GENERATE_MEMORY_LIMIT", "4GB"),
                                 "temp_directory": spill.name})
    con.execute("set enable_progress_bar = false")  # the CLI prints one line per range instead
    if threads:
        con.execute(f"set threads = {int(threads)}")
    spec = SimulationSpec(start=start, days=days, decisions_per_day=decisions_per_day, seed=seed)
    writer = DeliveryWriter(con, out, file_format)
    prepare(con, spec)
    days_per_range = max(1, range_decisions // decisions_per_day)
    for first in range(0, days, days_per_range):
        started = time.perf_counter()
        last = min(first + days_per_range, days) - 1
        simulate_days(con, spec, first, last)
        next_range_start = None if last == days - 1 else start + timedelta(days=last + 1)
        for table in PER_RANGE:
            writer.stage(table)
            writer.flush(table, before=next_range_start)
        if on_range:
            on_range(SimulatedRange(first + 1, last + 1, days, time.perf_counter() - started))
    calibrate(con, spec)
    for table in TABLES:
        if table not in PER_RANGE:
            writer.write_all(table)
    results = [GeneratedTable(t, writer.rows[t], writer.files[t]) for t in TABLES]
    con.close()
    spill.cleanup()
    return results
