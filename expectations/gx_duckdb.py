"""Great Expectations on DuckDB with SQL pushdown: the one place that works around GX internals.

GX closes its SQLAlchemy connection after each query unless the dialect is listed in
`sqlalchemy_execution_engine._PERSISTED_CONNECTION_DIALECTS`; DuckDB results do not outlive their
connection, so every metric then fails with `IndexError: list index out of range`. Listing DuckDB
makes GX keep one connection per data source, and the metrics compute in DuckDB with real observed
values (../shared/STACK-NOTES.md). tests/test_gx_duckdb.py fails if GX changes this.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from orchestration.project import reader_memory_limit


class _DuckDBDialect:
    """Compares equal to the dialect name GX reports for duckdb-engine ("duckdb")."""

    value = "duckdb"

    def __eq__(self, other: object) -> bool:
        return str(getattr(other, "value", other)).lower() == self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return "<duckdb (persisted connection)>"


def enable_duckdb() -> None:
    """Idempotent. Raises RuntimeError with the reason if GX no longer has the hook."""
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine

    dialects = getattr(engine, "_PERSISTED_CONNECTION_DIALECTS", None)
    if not isinstance(dialects, tuple):
        raise RuntimeError(
            "great_expectations changed: sqlalchemy_execution_engine._PERSISTED_CONNECTION_DIALECTS is gone; "
            "revisit expectations/gx_duckdb.py (DuckDB needs a persisted connection)"
        )
    if "duckdb" not in dialects:
        engine._PERSISTED_CONNECTION_DIALECTS = (*dialects, _DuckDBDialect())


def quiet_gx() -> None:
    """No analytics calls (no network here), no progress bars or usage chatter in run output."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    for name in ("great_expectations", "py4j"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="great_expectations")
    warnings.filterwarnings("ignore", message=".*PySpark does not yet fully support pandas.*")


@cache  # the gate asks once per expectation it builds
def load_gx():
    """GX's expectations, imported on first use rather than with this package: the import takes seconds
    (pandas, scipy.stats, altair, and pyspark when it is installed), and a dbt build, a publish or the
    Dagster definitions read the contracts without validating anything."""
    quiet_gx()  # first: pyspark 4 warns about pandas 3 on import, not our concern (Spark runs in dbt-spark)
    import great_expectations.expectations as gxe

    return gxe


def load_gx_in_background() -> None:
    """Start importing GX on a thread while the caller waits on another process (the dbt build): the gate
    that follows finds it imported. Python's import lock makes a second import wait for this one."""
    threading.Thread(target=load_gx, name="load-great-expectations", daemon=True).start()


def release(source) -> None:
    """Close a data source's persisted DuckDB connection. GX's own close() disposes the engine but
    keeps that connection, and while any connection to a file is open DuckDB keeps serving the
    snapshot it loaded: the next validation in the same process would read the previous build."""
    engine = source.get_execution_engine()
    connection = getattr(engine, "_connection", None)
    if connection is not None:
        connection.close()
        engine._connection = None
    engine.close()
    # The engine the data source built to test the connection holds one more (static pool).
    tested = getattr(source, "_engine", None)
    if tested is not None:
        tested.dispose()


def engine_arguments(database: Path) -> dict:
    """How the gate connects to a build database: read-only, as its GX data sources do. Any other
    in-process connection to the file must be configured the same way: DuckDB refuses a second connection
    to a file with a different configuration."""
    return {"url": f"duckdb:///{Path(database).resolve()}",
            "connect_args": {"read_only": True, "config": {"memory_limit": reader_memory_limit()}}}


@contextmanager
def querying(database: Path):
    """A function running queries on a build database (rows as dicts), over one connection compatible
    with the gate's GX sources."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(**engine_arguments(database))
    try:
        with engine.connect() as connection:
            yield lambda sql: [dict(row) for row in connection.execute(sqlalchemy.text(sql)).mappings()]
    finally:
        engine.dispose()


def fetch(database: Path, sql: str) -> list[dict]:
    """The rows of one query on a build database."""
    with querying(database) as query:
        return query(sql)
