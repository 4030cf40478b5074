"""The monthly business review as a monthly-partitioned asset downstream of the published warehouse,
its job and its schedule (the 3rd of each month, for the month before: its audits are mostly in by
then; a later re-run of the partition rewrites the page with whatever the warehouse holds then)."""

import dagster as dg

from orchestration.dagster_defs.partitions import FIRST_DAY
from orchestration.dagster_defs.resources import PublishedWarehouseResource

REPORT_KEY = dg.AssetKey(["reports", "monthly_business_review"])
monthly_partitions = dg.MonthlyPartitionsDefinition(start_date=FIRST_DAY[:8] + "01")


@dg.asset(
    key=REPORT_KEY,
    group_name="reports",
    deps=[dg.AssetKey(["published", "warehouse"])],
    partitions_def=monthly_partitions,
    kinds={"html", "pdf"},
    description="The month's business review for the whole programme: one self-contained HTML page under "
                "<warehouse>/reports/ (and its PDF when Chromium is installed), read from the published marts.",
)
def monthly_business_review(context: dg.AssetExecutionContext,
                            published: PublishedWarehouseResource) -> dg.MaterializeResult:
    from orchestration.report import build_report  # charting libraries load when a report is made, not with the defs
    from orchestration.report.pdf import find_chromium

    month = context.partition_time_window.start.date()
    result = build_report(published.warehouse, month, pdf=find_chromium() is not None)
    return dg.MaterializeResult(metadata={
        "html": dg.MetadataValue.path(str(result.html)),
        "pdf": dg.MetadataValue.path(str(result.pdf)) if result.pdf else "not printed: no Chromium found",
        "bytes": result.bytes, "sections": len(result.sections), "seconds": round(result.seconds, 2),
    })


monthly_report_job = dg.define_asset_job(
    "modqa_monthly_report", selection=[REPORT_KEY], executor_def=dg.in_process_executor,
    description="Write the monthly business review of a month.")

monthly_report_schedule = dg.build_schedule_from_partitioned_job(
    monthly_report_job, day_of_month=3, hour_of_day=6, minute_of_hour=0, name="modqa_monthly_report")
