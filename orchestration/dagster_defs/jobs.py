"""The pipeline job: ingest → dbt build → Great Expectations gate → publish."""

from __future__ import annotations

import dagster as dg

from orchestration.dagster_defs.partitions import daily_partitions

pipeline_job = dg.define_asset_job(
    "modqa_pipeline",
    selection=dg.AssetSelection.all(),
    partitions_def=daily_partitions,
    description="Ingest a day's landing files (or all pending ones), build with dbt, validate, publish.",
)
