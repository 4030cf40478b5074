"""All Dagster definitions of the warehouse. Needs the dbt manifest: run
`orchestration.dagster_defs.project.prepare_manifest()` (the CLI does) before importing this module."""

from __future__ import annotations

import dagster as dg

from orchestration.dagster_defs.assets import build_publish_asset, ingest_assets, raw_side_outputs
from orchestration.dagster_defs.checks import freshness_sensor, great_expectations_gate, kpi_freshness_checks
from orchestration.dagster_defs.dbt_assets import dbt_warehouse
from orchestration.dagster_defs.jobs import pipeline_job
from orchestration.dagster_defs.loggers import LOGGERS
from orchestration.dagster_defs.reports import monthly_business_review, monthly_report_job, monthly_report_schedule
from orchestration.dagster_defs.resources import resources
from orchestration.dagster_defs.schedules import daily_schedule
from orchestration.dagster_defs.sensors import landing_sensor

served = [key for key in dbt_warehouse.keys if key.path[0] in ("marts", "monitoring")]
published_warehouse = build_publish_asset(served)

defs = dg.Definitions(
    assets=[*ingest_assets, *raw_side_outputs, dbt_warehouse, published_warehouse, monthly_business_review],
    asset_checks=[great_expectations_gate, *kpi_freshness_checks],
    jobs=[pipeline_job, monthly_report_job],
    schedules=[daily_schedule, monthly_report_schedule],
    sensors=[landing_sensor, freshness_sensor],
    resources=resources(),
    loggers=LOGGERS,
)
