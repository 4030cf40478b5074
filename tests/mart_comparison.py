"""Row-for-row comparison of two versions of a table (DuckDB vs Spark, incremental vs full refresh)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from orchestration.project import layout
from orchestration.publish import published_tables

# Per load by nature (one row per load and table, or per key and load), so they differ whenever the
# loads differ; every other published table must not.
LOAD_HISTORY = {("monitoring", "dq_ingest_report"), ("monitoring", "dq_conflicting_versions")}
TOLERANCE = 1e-9  # absolute, plus a relative 1e-12 for large sums (summation order differs by engine)


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        series = frame[column]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            frame[column] = series.dt.tz_convert("UTC").dt.tz_localize(None)
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].astype("datetime64[us]")
    return frame


def sorted_rows(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in frame.columns if not pd.api.types.is_float_dtype(frame[c])]
    assert not frame.duplicated(keys).any(), "non-float columns must identify rows"
    return frame.sort_values(keys, na_position="first").reset_index(drop=True)


def assert_same_table(name: str, duck: pd.DataFrame, spark: pd.DataFrame,
                      sides: tuple[str, str] = ("on DuckDB", "on Spark")) -> None:
    assert list(duck.columns) == list(spark.columns), f"{name}: columns differ"
    assert len(duck) == len(spark), f"{name}: {len(duck)} rows {sides[0]}, {len(spark)} {sides[1]}"
    duck, spark = sorted_rows(normalise(duck)), sorted_rows(normalise(spark))
    for column in duck.columns:
        left, right = duck[column], spark[column]
        if pd.api.types.is_float_dtype(left) or pd.api.types.is_float_dtype(right):
            np.testing.assert_allclose(left.astype(float), right.astype(float), rtol=1e-12, atol=TOLERANCE,
                                       equal_nan=True, err_msg=f"{name}.{column}")
        else:
            same = (left.isna() & right.isna()) | (left.astype(object) == right.astype(object))
            assert same.all(), f"{name}.{column}: first difference at row {int((~same).argmax())}"


def compare_builds(left: Path, right: Path, sides: tuple[str, str] = ("built day by day", "in one full refresh"),
                   published: bool = False) -> dict[str, int]:
    """Assert every published table of two warehouses' builds is equal row for row; their row counts.
    `published`: the left side as BI reads it, from its published file (views over Parquet included)."""
    left_database = layout(left).published_database if published else layout(left).build_database
    con = duckdb.connect(str(left_database), read_only=True)
    con.execute(f"attach '{layout(right).build_database}' as other_build (read_only)")
    try:
        catalog = con.execute("select current_database()").fetchone()[0]
        rows = {}
        for schema, table in [t for t in published_tables(con, catalog) if t not in LOAD_HISTORY]:
            mine = con.execute(f"select * from {catalog}.{schema}.{table}").df()
            theirs = con.execute(f"select * from other_build.{schema}.{table}").df()
            assert_same_table(f"{schema}.{table}", mine, theirs, sides)
            rows[table] = len(mine)
    finally:
        con.close()
    return rows
