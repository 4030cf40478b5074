"""The same dbt project on DuckDB and on local Spark (dbt-spark, method session) gives identical
marts: every published table, row for row, floats to 1e-9. A model, macro, seed or test that works on
one engine only fails the Spark build, and with it this test, naming the node.

The Spark side is built as a daily run would build it: the first days, then the rest incrementally
(late audits and settled disputes of the first days among them), its day-, week- and month-grain marts
by `insert_overwrite` of the partitions the second run re-opened. The DuckDB side is one full build of
the same files, so the comparison is also Spark's day-by-day build against a full refresh."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.dbt_runner import build
from orchestration.generator import generate
from orchestration.ingest.loader import ingest
from orchestration.pipeline import run_pipeline
from orchestration.project import layout
from orchestration.publish import published_tables
from tests.conftest import quiet_console
from tests.mart_comparison import assert_same_table

pytestmark = [pytest.mark.slow, pytest.mark.spark]

START = date(2026, 9, 1)
DAYS = 12
FIRST_BUILD_DAYS = 10  # beyond audit_lag_days: the first days are mature, and a daily run leaves them be
DAY_PARTITIONED = [("marts", "agg_quality_daily"), ("marts", "agg_sla_daily")]


def spark_rows(folder: Path, columns: list[str] | None = None) -> str:
    """A Spark table's Parquet files as DuckDB reads them (day partitions as the column they are named by)."""
    selected = ", ".join(f'"{c}"' for c in columns) if columns else "*"
    return f"select {selected} from read_parquet('{folder}/**/*.parquet', hive_partitioning = true)"


def partition_files(folder: Path) -> dict[str, set[str]]:
    """Per partition folder of a table, the names of its data files (Spark names each file it writes anew)."""
    return {part.name: {f.name for f in part.glob("*.parquet")} for part in folder.iterdir() if "=" in part.name}


@pytest.fixture(scope="module")
def both_engines(tmp_path_factory):
    if shutil.which("java") is None:
        pytest.fail("Java is required for the Spark target (the machine image provides Java 17)")
    root = tmp_path_factory.mktemp("portability")
    landing, warehouse = root / "landing", root / "warehouse"
    generate(landing, days=DAYS, decisions_per_day=150, seed=3, start=START, file_format="mixed")
    # Rows for the monitoring marts: one quarantined (negative handle time), one orphan decision.
    last_day = (START + timedelta(days=DAYS - 1)).isoformat()
    bad = landing / "decisions" / last_day / "late_export.csv"
    bad.write_text("decision_id,item_id,moderator_id,is_automated,verdict,policy_code,decided_at,handle_seconds\n"
                   f"dec-x-1,itm-unknown,p00001,false,approve,,{last_day}T10:00:00Z,12\n"
                   f"dec-x-2,itm-unknown,p00001,false,approve,,{last_day}T10:00:00Z,-3\n")
    lay = layout(warehouse)
    # The first days without data tests (they check the result of the second, incremental build), then
    # the rest as `modqa run --target spark` runs them.
    ingest(landing, warehouse, dates=(START, START + timedelta(days=FIRST_BUILD_DAYS - 1)))
    build(warehouse, target="spark", tests=False)
    before = {table: partition_files(lay.spark_table(*table)) for table in DAY_PARTITIONED}
    run_pipeline(landing, warehouse, quiet_console(), target="spark")
    after = {table: partition_files(lay.spark_table(*table)) for table in DAY_PARTITIONED}
    reopened = {f"decision_date={row[0]}" for row in duckdb.sql(
        spark_rows(lay.spark_table("intermediate", "int_reopened_days"))).fetchall()}
    run_pipeline(landing, warehouse, quiet_console(), target="duckdb")  # ingest finds nothing new: one full build
    return lay, before, after, reopened


def test_every_published_mart_is_identical_on_duckdb_and_spark(both_engines):
    lay, *_ = both_engines
    con = duckdb.connect(str(lay.published_database), read_only=True)
    try:
        catalog = con.execute("select current_database()").fetchone()[0]
        tables = published_tables(con, catalog)
        assert len(tables) >= 20
        compared = []
        for schema, table in tables:
            folder = lay.spark_table(schema, table)
            assert folder.is_dir(), f"{schema}.{table} was not built on Spark"
            duck = con.execute(f"select * from {schema}.{table}").df()
            # Spark stores a partition column last: read in the published column order.
            spark = (duckdb.sql(spark_rows(folder, list(duck.columns))).df() if any(folder.rglob("*.parquet"))
                     else duck.iloc[0:0])
            assert_same_table(f"{schema}.{table}", duck, spark)
            compared.append((table, len(duck)))
    finally:
        con.close()
    counts = dict(compared)
    assert counts["fct_decisions"] > 1000 and counts["dq_quarantined_rows"] == 1 and counts["dq_orphans"] == 1


def test_the_incremental_spark_run_rewrote_only_the_reopened_day_partitions(both_engines):
    """In the second Spark run, a day partition of the daily marts was written again exactly when the run
    re-opened its day (int_reopened_days); every other day kept the first run's files."""
    _, before, after, reopened = both_engines
    assert reopened, "the second run re-opened no day: the test proves nothing"
    for table in DAY_PARTITIONED:
        kept = {day for day, files in after[table].items() if files and files == before[table].get(day)}
        assert kept == set(after[table]) - reopened, f"{table}: kept {sorted(kept)}, re-opened {sorted(reopened)}"
        assert kept, f"{table}: every day was re-opened: the test proves nothing"
        assert set(after[table]) - set(before[table]) <= reopened  # the new days were re-opened too
