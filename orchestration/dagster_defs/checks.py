"""The Great Expectations gate as blocking asset checks, and freshness checks on the KPI marts."""


from datetime import timedelta

import dagster as dg

from expectations.checks import BLOCKING
from expectations.gate import GateResult
from expectations.suites import GateSettings, suites
from orchestration.dagster_defs.resources import WarehouseResource
from orchestration.steps import validate_build

GX_CHECK = "great_expectations"
KPI_MARTS = ["agg_quality_daily", "agg_sla_daily", "agg_capacity_daily", "agg_moderator_daily", "agg_quality_summary"]


def table_key(table: str) -> dg.AssetKey:
    """The asset a suite's check belongs to. The quarantine and the load manifest are written by
    every ingest asset, not materialized by one; their suites attach to the staging models over them."""
    schema, name = table.split(".")
    if schema == "raw" and name in ("quarantine", "load_manifest"):
        return dg.AssetKey(["staging", f"stg_landing__{name}"])
    return dg.AssetKey([schema, name])


def suite_check_specs() -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(GX_CHECK, asset=table_key(table), blocking=True,
                          description=f"Great Expectations suite for {table} ({len(checks)} expectations)")
        for table, checks in suites().items()
    ]


def check_results(result: GateResult) -> list[dg.AssetCheckResult]:
    results = []
    for suite in result.suites:
        blocking = [o for o in suite.failed if o.check.severity == BLOCKING]
        warnings = [o for o in suite.failed if o.check.severity != BLOCKING]
        results.append(dg.AssetCheckResult(
            asset_key=table_key(suite.table), check_name=GX_CHECK, passed=not suite.failed,
            severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
            description=suite.summary(),
            metadata={"expectations": len(suite.outcomes), "blocking_failures": [o.line for o in blocking],
                      "warnings": [o.line for o in warnings], "data_docs": str(result.docs_index)},
        ))
    return results


@dg.multi_asset_check(specs=suite_check_specs(), name="great_expectations_gate",
                      description="Validates the build with every Great Expectations suite in one run (SQL "
                                  "pushed down to DuckDB); a blocking failure stops the publish.")
def great_expectations_gate(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    if warehouse.target != "duckdb":  # GX on the Spark target is a follow-up
        for spec in suite_check_specs():
            yield dg.AssetCheckResult(asset_key=spec.asset_key, check_name=GX_CHECK, passed=True,
                                      description=f"not run on the {warehouse.target} target")
        return
    result = validate_build(warehouse.warehouse_path, GateSettings(freshness_hours=warehouse.freshness_hours))
    context.log.info(f"{len(result.outcomes)} expectations, {len(result.blocking_failures)} blocking failures, "
                     f"{len(result.warnings)} warnings in {result.seconds:.1f} s; Data Docs {result.docs_index}")
    yield from check_results(result)


kpi_freshness_checks = dg.build_last_update_freshness_checks(
    assets=[dg.AssetKey(["marts", name]) for name in KPI_MARTS], lower_bound_delta=timedelta(hours=26),
)
freshness_sensor = dg.build_sensor_for_freshness_checks(freshness_checks=kpi_freshness_checks,
                                                        name="kpi_freshness_sensor")
