"""The same dbt project on DuckDB and on local Spark (dbt-spark, method session) gives identical
marts: every published table, row for row, floats to 1e-9. A model, macro, seed or test that works on
one engine only fails the Spark build, and with it this test, naming the node."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pytest

from orchestration.generator import generate
from orchestration.pipeline import run_pipeline
from orchestration.project import layout
from orchestration.publish import published_tables
from tests.conftest import quiet_console
from tests.mart_comparison import assert_same_table

pytestmark = [pytest.mark.slow, pytest.mark.spark]
@pytest.fixture(scope="module")
def both_engines(tmp_path_factory):
    if shutil.which("java") is None:
        pytest.fail("Java is required for the Spark target (the machine image provides Java 17)")
    root = tmp_path_factory.mktemp("portability")
    landing, warehouse = root / "landing", root / "warehouse"
    generate(landing, days=4, decisions_per_day=400, seed=3, start=date(2026, 9, 1), file_format="mixed")
    # Rows for the monitoring marts: one quarantined (negative handle time), one orphan decision.
    bad = landing / "decisions" / "2026-09-04" / "late_export.csv"
    bad.write_text("decision_id,item_id,moderator_id,is_automated,verdict,policy_code,decided_at,handle_seconds\n"
                   "dec-x-1,itm-unknown,p00001,false,approve,,2026-09-04T10:00:00Z,12\n"
                   "dec-x-2,itm-unknown,p00001,false,approve,,2026-09-04T10:00:00Z,-3\n")
    run_pipeline(landing, warehouse, quiet_console(), target="duckdb")
    run_pipeline(landing, warehouse, quiet_console(), target="spark")  # ingest finds nothing new
    return layout(warehouse)


def test_every_published_mart_is_identical_on_duckdb_and_spark(both_engines):
    con = duckdb.connect(str(both_engines.published_database), read_only=True)
    try:
        catalog = con.execute("select current_database()").fetchone()[0]
        tables = published_tables(con, catalog)
        assert len(tables) >= 20
        compared = []
        for schema, table in tables:
            folder = both_engines.spark_table(schema, table)
            assert folder.is_dir(), f"{schema}.{table} was not built on Spark"
            duck = con.execute(f"select * from {schema}.{table}").df()
            files = sorted(folder.glob("*.parquet"))
            spark = (duckdb.sql(f"select * from read_parquet('{folder}/*.parquet')").df() if files
                     else duck.iloc[0:0])
            assert_same_table(f"{schema}.{table}", duck, spark)
            compared.append((table, len(duck)))
    finally:
        con.close()
    counts = dict(compared)
    assert counts["fct_decisions"] > 1000 and counts["dq_quarantined_rows"] == 1 and counts["dq_orphans"] == 1
