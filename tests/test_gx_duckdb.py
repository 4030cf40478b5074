"""The one GX workaround (expectations/gx_duckdb.py): needed, and enough. If GX changes the hook or
starts supporting DuckDB's connection model itself, these tests say so."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import duckdb

SCRIPT = textwrap.dedent("""
    import sys, great_expectations as gx, great_expectations.expectations as gxe
    from expectations.gx_duckdb import enable_duckdb, quiet_gx
    quiet_gx()
    if sys.argv[2] == "patched":
        enable_duckdb()
    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_sql("db", connection_string="duckdb:///" + sys.argv[1])
    batch = source.add_query_asset("t", query="select * from t").add_batch_definition_whole_table("all")
    result = batch.get_batch().validate(gxe.ExpectColumnValuesToBeBetween(column="x", min_value=0, max_value=5))
    info = str(result.exception_info)
    print("SUCCESS" if result.success else "FAILED", result.result.get("unexpected_count"),
          "IndexError" if "list index out of range" in info else "")
""")


def run_probe(tmp_path, mode: str) -> str:
    database = tmp_path / "probe.duckdb"
    if not database.exists():
        con = duckdb.connect(str(database))
        con.execute("create table t as select range as x from range(5)")
        con.close()
    script = tmp_path / "probe.py"
    script.write_text(SCRIPT)
    result = subprocess.run([sys.executable, str(script), str(database), mode], capture_output=True, text=True,
                            timeout=300)
    return result.stdout.strip().splitlines()[-1]


def test_without_the_workaround_gx_cannot_read_duckdb_results(tmp_path):
    assert run_probe(tmp_path, "plain") == "FAILED None IndexError"


def test_with_the_workaround_metrics_compute_in_duckdb(tmp_path):
    assert run_probe(tmp_path, "patched") == "SUCCESS 0"


def test_a_second_validation_in_the_same_process_reads_the_rebuilt_file(tmp_path):
    """Regression: the persisted connection outlived a validation, so a second one (modqa run twice in
    one process, a test session) read the previous build's snapshot."""
    from expectations.checks import Check
    from expectations.gate import validate

    database = tmp_path / "build.duckdb"
    con = duckdb.connect(str(database))
    con.execute("create schema marts; create table marts.t as select range as x from range(5)")
    con.close()
    check = Check("x_below_5", "marts.t", "between", column="x", min_value=0, max_value=4)
    assert validate(database, tmp_path / "gx", checks_by_table={"marts.t": [check]}).passed
    con = duckdb.connect(str(database))  # the next build writes the file
    con.execute("insert into marts.t values (9)")
    con.close()
    assert not validate(database, tmp_path / "gx", checks_by_table={"marts.t": [check]}).passed
