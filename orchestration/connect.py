"""`connect()`: a read-only connection to the latest publication, for long-lived Python processes
(notebooks, Streamlit, Dash, schedulers).

Each run replaces `<warehouse>/warehouse.duckdb` by renaming a new file over it. DuckDB's Python
module keeps one database instance per path for as long as any connection to it is open, so
`duckdb.connect(path, read_only=True)` after a publish returns the *old* file while another
connection to that path lives in the process. `connect()` instead attaches the file to a fresh
in-memory instance, which opens whatever the path names at that moment:

    from orchestration.connect import connect
    with connect("data/warehouse") as con:          # one per page load / query batch
        con.sql("select * from marts.agg_quality_summary").df()

A connection keeps the publication it opened (a consistent snapshot) until it is closed.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.errors import UsageError
from orchestration.ingest.sql import sql_string
from orchestration.project import DEFAULT_WAREHOUSE, layout

CATALOG = "warehouse"  # the name a direct connection to warehouse.duckdb gives it, so SQL reads the same


def connect(warehouse: Path | str = DEFAULT_WAREHOUSE) -> duckdb.DuckDBPyConnection:
    """A new read-only connection to the warehouse published now (schemas `marts` and `monitoring`)."""
    database = layout(warehouse).published_database
    if not database.exists():
        raise UsageError(f"no published warehouse at {database}; run `modqa run --warehouse {warehouse}` first")
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach {sql_string(str(database))} as {CATALOG} (read_only)")
        con.execute(f"use {CATALOG}")
    except duckdb.Error:
        con.close()
        raise
    return con
