"""The pipeline job: ingest → dbt build → Great Expectations gate → publish."""

from __future__ import annotations

import dagster as dg

from orchestration.dagster_defs.partitions import daily_partitions

# In one process: the run holds the warehouse lock for its whole length (resources.WarehouseResource),
# and its steps run one after another anyway (each waits for the previous; DuckDB has one writer).
pipeline_job = dg.define_asset_job(
    "modqa_pipeline",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("reports"),  # monthly: reports.py
    partitions_def=daily_partitions,
    executor_def=dg.in_process_executor,
    description="Ingest a day's landing files (or all pending ones), build with dbt, validate, publish.",
)
