"""dbt models, seeds and tests as Dagster assets and asset checks, grouped by layer."""


from collections import Counter
from collections.abc import Mapping
from datetime import date
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from expectations.contracts import is_gate_owned_test
from expectations.gx_duckdb import load_gx_in_background
from orchestration.console import chatter_to, step
from orchestration.dagster_defs.assets import DUCKDB_WRITERS
from orchestration.dagster_defs.partitions import INGEST_ALL_TAG
from orchestration.dagster_defs.project import dbt_project
from orchestration.dagster_defs.resources import WarehouseResource
from orchestration.dbt_child import reuse_parse_state, shim_options
from orchestration.dbt_runner import build_arguments, build_failure
from orchestration.incremental import record_build
from orchestration.project import layout


class LayerTranslator(DagsterDbtTranslator):
    """Keys are <schema>/<name> (e.g. marts/fct_decisions), exactly the relation BI queries; the
    group is the layer (reference, staging, intermediate, marts, monitoring). Sources are keyed by
    their relation too, raw/<table>: the keys of the ingest assets."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "source":  # the relation raw.<table>: the ingest asset's key
            return spec.replace_attributes(key=dg.AssetKey([props["schema"], props["name"]]))
        schema = props["schema"]
        return spec.replace_attributes(key=dg.AssetKey([schema, props["name"]]), group_name=schema)

    def get_asset_check_spec(self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str,
                             project) -> dg.AssetCheckSpec | None:
        """A marts' test whose rule the publish gate owns is no check of its own here: the gate's
        `great_expectations` check on the mart reports it (dbt runs it only on Spark, where no gate runs)."""
        if is_gate_owned_test(manifest["nodes"].get(unique_id, {})):
            return None
        return super().get_asset_check_spec(asset_spec, manifest, unique_id, project)


def backfill_start(context: dg.AssetExecutionContext) -> date | None:
    """The first day of the run's partition (range): incremental models rebuild from there on top
    of the days that late data re-opens. None when the run loads every pending file."""
    tags = context.run.tags
    if tags.get(INGEST_ALL_TAG) == "true":
        return None
    first = tags.get("dagster/asset_partition_range_start") or tags.get("dagster/partition")
    return date.fromisoformat(first) if first else None


translator = LayerTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def describe_results(run_results: dict) -> tuple[str, list[str]]:
    counts = Counter(r["unique_id"].split(".")[0] for r in run_results.get("results", []))
    failed = [f"{r['unique_id'].split('.')[0]} {r['unique_id'].split('.')[2]}: {r['status']}"
              + (f" ({(r.get('message') or '').splitlines()[0]})" if r.get("message") else "")
              for r in run_results.get("results", []) if r["status"] in ("error", "fail", "runtime error")]
    tests = counts["test"] + counts["unit_test"]
    return f"{counts['model']} models, {counts['seed']} seeds, {tests} tests passed", failed


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=translator,
            pool=DUCKDB_WRITERS, name="dbt_warehouse")
def dbt_warehouse(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """`dbt build`: seeds, models and data tests in one invocation (dbt tests → asset checks)."""
    args, env, through = build_arguments(warehouse.warehouse_path, warehouse.full_refresh, backfill_start(context),
                                         target=warehouse.target)
    lay = layout(warehouse.warehouse_path)
    with step(f"dbt build ({warehouse.target})") as outcome:
        # The warehouse's own target folder, as for `dbt_runner.build`: dagster-dbt's default is a new
        # folder per run under the project (a full parse every run, and a few MB left behind each time).
        # Its parse state is seeded here, first: dagster-dbt would seed it from the project's target/,
        # which any dbt run by hand in the project folder leaves with another profile's parse.
        reuse_parse_state(lay.dbt_target_dir, warehouse.target)
        invocation = dbt.cli([*shim_options(warehouse.warehouse_path, env), *args, "--target", warehouse.target],
                             context=context, raise_on_error=False, target_path=lay.dbt_target_dir)
        if warehouse.target == "duckdb":  # the gate validates next
            load_gx_in_background()
        with chatter_to(lay.dbt_log_dir / "dagster-dbt-events.log"):
            yield from invocation.stream()
        summary, failed = describe_results(invocation.get_artifact("run_results.json"))
        outcome["detail"] = summary if invocation.is_successful() else f"failed: {len(failed)} nodes"
    if not invocation.is_successful():
        lines = ["dbt build failed; the published warehouse was not changed.", *[f"  {f}" for f in failed[:10]]]
        lines.append(f"Full dbt log: {lay.dbt_log_dir / 'dbt.log'}")
        raise build_failure(warehouse.warehouse_path, failed, "\n".join(lines))
    record_build(warehouse.warehouse_path, through, warehouse.target)
