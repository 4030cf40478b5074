"""Ingest assets (one per landing table, daily partitions) and the publish asset."""


from datetime import timedelta

import dagster as dg

from orchestration.dagster_defs.partitions import INGEST_ALL_TAG, daily_partitions
from orchestration.dagster_defs.resources import WarehouseResource
from orchestration.ingest.contracts import CONTRACTS
from orchestration.project import layout
from orchestration.steps import ingest_table, publish_build

DUCKDB_WRITERS = "duckdb_writer"  # every asset that writes the warehouse; the pool's limit is 1
TRANSIENT_RETRY = dg.RetryPolicy(max_retries=3, delay=5, backoff=dg.Backoff.EXPONENTIAL)


def ingest_window(context: dg.AssetExecutionContext):
    """The data dates this run loads: its partition (range), or every pending file when tagged."""
    if context.run.tags.get(INGEST_ALL_TAG) == "true":
        return None
    window = context.partition_time_window
    return window.start.date(), (window.end - timedelta(days=1)).date()


def build_ingest_asset(table: str, after: dg.AssetKey | None) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["raw", table]),
        group_name="raw",
        deps=[after] if after else [],
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        retry_policy=TRANSIENT_RETRY,
        pool=DUCKDB_WRITERS,
        kinds={"python", "parquet"},
        description=f"Landing files of `{table}` ({CONTRACTS[table].grain}) validated into the raw layer; "
                    "bad rows go to the quarantine with file, line, column and reason.",
    )
    def ingest_table_asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        dates = ingest_window(context)
        result = ingest_table(warehouse.landing_path, warehouse.warehouse_path, table, dates)
        for path, message in result.rejected_files:
            context.log.warning(f"rejected {path}: {message}")
        return dg.MaterializeResult(metadata={
            "files_new": result.files_new, "files_already_loaded": result.files_skipped,
            "rows_loaded": result.rows_loaded, "rows_quarantined": result.rows_quarantined,
            "identical_redeliveries": result.rows_duplicate, "seconds": round(result.seconds, 2),
            "window": "all pending files" if dates is None else f"{dates[0]} – {dates[1]}",
        })

    return ingest_table_asset


# Tables load in contract order (parents first) so that rules across tables, such as "decided
# before enqueued", see the parent rows landed in the same run: each waits for the previous one.
_tables = list(CONTRACTS)
ingest_assets = [build_ingest_asset(table, dg.AssetKey(["raw", _tables[i - 1]]) if i else None)
                 for i, table in enumerate(_tables)]

# Written by every ingest asset as a side product; dbt reads them as sources.
raw_side_outputs = [
    dg.AssetSpec(dg.AssetKey(["raw", name]), group_name="raw", deps=[a.key for a in ingest_assets],
                 description=description, kinds={"parquet"})
    for name, description in [("quarantine", "Rows not loaded, with table, file, line, column and reason."),
                              ("load_manifest", "One row per landing file seen, with hash, status and counts.")]
]


def build_publish_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["published", "warehouse"]),
        group_name="published",
        deps=upstream,
        retry_policy=TRANSIENT_RETRY,
        pool=DUCKDB_WRITERS,
        kinds={"duckdb", "parquet"},
        description="The served warehouse: marts and monitoring copied to warehouse.duckdb and Parquet, "
                    "swapped in atomically. Runs only when every blocking check upstream passed.",
    )
    def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        if warehouse.target != "duckdb":  # the spark target's marts are its own Parquet tables
            marts = layout(warehouse.warehouse_path).spark_warehouse / "marts.db"
            return dg.MaterializeResult(metadata={"target": warehouse.target, "marts": str(marts)})
        result = publish_build(warehouse.warehouse_path)
        return dg.MaterializeResult(metadata={"path": str(result.path), "parquet": str(result.parquet),
                                              "tables": result.tables, "seconds": round(result.seconds, 2)})

    return published_warehouse
