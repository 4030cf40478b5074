"""The gate's suites: one per published mart, derived from its dbt contract, plus the rules a
contract cannot state (cross-column, reconciliation between layers, volume, freshness), and the
raw and staging tables that matter. Severity: blocking checks stop the publish, warnings are listed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from expectations.checks import WARNING, Check
from expectations.contracts import MartContract, read_mart_contracts
from orchestration.ingest.contracts import CONTRACTS

DUCKDB_TYPES = {"string": "VARCHAR", "bigint": "BIGINT", "double": "DOUBLE", "boolean": "BOOLEAN",
                "date": "DATE", "timestamp": "TIMESTAMP"}
# Numeric columns whose names say they are counts, sums or durations: never negative.
NON_NEGATIVE_WORDS = ("decisions", "in_sample", "positives", "negatives", "correct", "inflow", "outflow",
                      "backlog", "errors", "seconds", "minutes", "hours", "sum_w", "weighted_", "squared_weight",
                      "fte", "files", "rows", "items", "count", "within_sla", "sample_size", "versions")
# Double columns whose names say they are proportions: in [0, 1].
PROPORTION_ENDINGS = ("_rate", "accuracy", "precision", "recall", "attainment", "_share", "_ci_low", "_ci_high")


@dataclass(frozen=True)
class GateSettings:
    freshness_hours: float = 48.0  # warn when the latest decision is older than this
    volume_low: float = 0.5  # warn when a day's decisions fall outside [low, high] × trailing 7-day median
    volume_high: float = 2.0
    max_handle_seconds: int = 4 * 3600  # warn on implausibly long handling times


def schema_check(contract: MartContract) -> Check:
    expected = ", ".join(
        f"({position}, '{name}', '{DUCKDB_TYPES[data_type]}')"
        for position, (name, data_type) in enumerate(contract.columns, start=1)
    )
    sql = f"""
        with expected(position, column_name, data_type) as (values {expected}),
        actual as (
            select ordinal_position as position, column_name, data_type
            from information_schema.columns
            where table_schema = '{contract.schema}' and table_name = '{contract.name}'
        )
        select coalesce(expected.column_name, actual.column_name) as column_name,
               expected.data_type as expected_type, actual.data_type as actual_type
        from expected full outer join actual on expected.position = actual.position
        left join (select 1 as seen from {{batch}} limit 1) as touched on true
        where expected.column_name is distinct from actual.column_name
           or expected.data_type is distinct from actual.data_type
    """
    return Check("schema_and_types", contract.relation, "rows", sql=sql,
                 breaking_sql=f"alter table {contract.relation} add column unexpected_column integer",
                 description="Columns, order and types match the dbt contract")


def interval_check(contract: MartContract, rate: str, low: str, high: str) -> Check:
    sql = (f"select * from {{batch}} where {rate} is not null and not "
           f"(0 <= {low} and {low} <= {rate} + 1e-12 and {rate} <= {high} + 1e-12 and {high} <= 1)")
    breaking = (f"update {contract.relation} set {high} = -0.01 "
                f"where rowid = (select min(rowid) from {contract.relation} where {rate} is not null)")
    return Check(f"{rate}_within_interval", contract.relation, "rows", columns=(rate, low, high), sql=sql,
                 breaking_sql=breaking, per_row=True, description=f"0 ≤ {low} ≤ {rate} ≤ {high} ≤ 1")


def non_negative_check(contract: MartContract) -> Check | None:
    columns = [name for name, data_type in contract.columns if data_type in ("bigint", "double")
               and any(word in name for word in NON_NEGATIVE_WORDS)]
    if not columns:
        return None
    sql = "select * from {batch} where " + " or ".join(f"{c} < 0" for c in columns)
    relation = contract.relation
    breaking = f"update {relation} set {columns[0]} = -1 where rowid = (select min(rowid) from {relation})"
    return Check("counts_and_durations_non_negative", contract.relation, "rows", columns=tuple(columns), sql=sql,
                 breaking_sql=breaking, per_row=True, description="Counts, sums and durations are never negative")


def other_key_check(contract: MartContract, columns: tuple[str, ...], where: str | None) -> Check:
    """A further uniqueness the mart's yml declares, over the rows its test's `where` selects."""
    name, described = f"{'_'.join(columns)}_unique", f"One row per {' × '.join(columns)}"
    if where is None:
        return Check(name, contract.relation, "unique", columns=columns, description=described)
    listed = ", ".join(columns)
    return Check(name, contract.relation, "rows", columns=columns,
                 sql=f"select {listed}, count(*) as copies from {{batch}} where {where} group by {listed} "
                     "having count(*) > 1",
                 breaking_sql=f"insert into {contract.relation} select * from {contract.relation} "
                              f"where {where} limit 1",
                 description=f"{described} where {where}")


def mart_checks(contract: MartContract) -> list[Check]:
    checks = [schema_check(contract)]
    if contract.key:
        checks.append(Check("primary_key_unique", contract.relation, "unique", columns=tuple(contract.key),
                            description=f"One row per {' × '.join(contract.key)}"))
    checks += [Check(f"{column}_not_null", contract.relation, "not_null", column=column)
               for column in dict.fromkeys([*contract.key, *contract.not_null])]
    checks += [other_key_check(contract, columns, where) for columns, where in contract.other_keys]
    checks += [Check(f"{column}_in_set", contract.relation, "in_set", column=column, values=tuple(values))
               for column, values in contract.accepted_values.items()]
    in_interval = {name for triple in contract.intervals for name in triple}
    checks += [interval_check(contract, *triple) for triple in contract.intervals]
    checks += [Check(f"{name}_between_0_and_1", contract.relation, "between", column=name, min_value=0, max_value=1)
               for name, data_type in contract.columns
               if data_type == "double" and name.endswith(PROPORTION_ENDINGS) and name not in in_interval]
    non_negative = non_negative_check(contract)
    return checks + ([non_negative] if non_negative else [])


def rule_checks(settings: GateSettings) -> list[Check]:
    """Rules across columns, layers and time that the contracts cannot express."""
    daily = "marts.agg_quality_daily"
    return [
        Check("decisions_reconcile_across_layers", "marts.fct_decisions", "rows",
              sql="""
                  select * from (
                      select (select count(*) from {batch}) as fact_rows,
                             (select coalesce(sum(decisions), 0) from marts.agg_quality_daily) as mart_decisions,
                             (select count(*) from staging.stg_landing__decisions) as staged_decisions,
                             (select count(*) from monitoring.dq_orphans where table_name = 'decisions')
                                 as waiting_for_item
                  ) where fact_rows <> mart_decisions or fact_rows + waiting_for_item <> staged_decisions""",
              breaking_sql="delete from marts.fct_decisions where rowid = (select min(rowid) from marts.fct_decisions)",
              also_reads=("marts.agg_quality_daily", "staging.stg_landing__decisions", "monitoring.dq_orphans"),
              description="decisions in agg_quality_daily = fct_decisions rows = staged decisions − orphans"),
        Check("raw_rows_reconcile_with_staged_and_quarantined", "monitoring.dq_ingest_report", "rows",
              sql="""
                  select * from {batch}
                  where rows_in_files <> rows_loaded + rows_quarantined
                     or rows_loaded <> raw_rows
                     or staged_rows <> raw_keys""",
              breaking_sql="update monitoring.dq_ingest_report set rows_quarantined = rows_quarantined + 1 "
                           "where table_name = 'decisions'",
              per_row=True,
              description="landed rows = loaded + quarantined; loaded = raw rows; staged = distinct raw keys "
                          "(raw_rows and raw_keys are counted on the raw layer)"),
        Check("qa_turnaround_not_negative", "marts.fct_qa_audits", "between", column="qa_turnaround_minutes",
              min_value=0, description="An audit is never before the decision it audits"),
        Check("appeal_filed_after_decision", "marts.fct_appeals", "rows",
              sql="select appeals.* from {batch} as appeals join marts.fct_decisions as decisions "
                  "using (decision_id) where appeals.filed_at < decisions.decided_at",
              breaking_sql="update marts.fct_appeals set filed_at = filed_at - interval 3650 day "
                           "where rowid = (select min(rowid) from marts.fct_appeals)",
              also_reads=("marts.fct_decisions",), per_row=True,
              description="An appeal is never filed before its decision"),
        Check("daily_volume_within_band", daily, "rows", severity=WARNING,
              sql=f"""
                  with days as (select decision_date, sum(decisions) as decisions from {{batch}} group by 1),
                  with_history as (
                      select decision_date, decisions,
                             median(decisions) over history as trailing_median,
                             count(*) over history as history_days
                      from days
                      window history as (order by decision_date rows between 7 preceding and 1 preceding)
                  )
                  select * from with_history
                  where history_days = 7 and (decisions < {settings.volume_low} * trailing_median
                                              or decisions > {settings.volume_high} * trailing_median)""",
              breaking_sql=f"update {daily} set decisions = decisions * 100 "
                           f"where decision_date = (select max(decision_date) from {daily})",
              description=f"Each day's decisions within {settings.volume_low}–{settings.volume_high} × the "
                          "trailing 7-day median"),
        Check("decisions_are_fresh", "marts.fct_decisions", "rows", severity=WARNING,
              sql=f"""
                  select max(decided_at) as latest_decided_at from {{batch}}
                  having max(decided_at) < cast(current_timestamp at time zone 'UTC' as timestamp)
                                           - interval {int(settings.freshness_hours * 60)} minute""",
              breaking_sql="update marts.fct_decisions set decided_at = decided_at - interval 36500 day",
              description=f"The latest decision is at most {settings.freshness_hours:g} h old"),
        Check("handle_time_plausible", "marts.fct_decisions", "between", severity=WARNING, column="handle_seconds",
              min_value=0, max_value=settings.max_handle_seconds,
              description=f"Handling time ≤ {settings.max_handle_seconds / 3600:g} h"),
        Check("delivery_order_not_in_doubt", "monitoring.dq_conflicting_versions", "rows", severity=WARNING,
              sql="select table_name, record_key, latest_source_file, previous_source_file from {batch} "
                  "where is_order_in_doubt and (table_name, load_id) in (select table_name, max(load_id) "
                  "from raw.load_manifest group by table_name)",
              breaking_sql="insert into monitoring.dq_conflicting_versions select 'decisions', 'dec-1', "
                           "(select max(load_id) from raw.load_manifest where table_name = 'decisions'), 2, 2, "
                           "'decisions/a.csv', now(), 'decisions/b.csv', now(), true",
              also_reads=("raw.load_manifest",), per_row=True,
              description="No key of a table's latest load came in two versions whose delivery order is in "
                          "doubt (files modified at the same instant, or the later file naming an earlier "
                          "data date); the later by modification time, then path, is in use"),
        # Every table's ingest is a load of its own: judge each table's latest one.
        Check("no_rows_quarantined_in_this_load", "raw.quarantine", "rows", severity=WARNING,
              sql="select table_name, source_file, source_line, column_name, reason from {batch} "
                  "where (table_name, load_id) in (select table_name, max(load_id) from raw.load_manifest "
                  "group by table_name)",
              breaking_sql="insert into raw.quarantine by name select 'audits' as table_name, 'planted.csv' as "
                           "source_file, 2 as source_line, 'qa_verdict' as column_name, 'bad_value' as reason_code, "
                           "'planted' as reason, (select max(load_id) from raw.load_manifest "
                           "where table_name = 'audits') as load_id, now() as loaded_at",
              also_reads=("raw.load_manifest",), per_row=True,
              description="The latest load of each table quarantined no rows"),
    ]


def staging_checks() -> list[Check]:
    checks = []
    for table, contract in CONTRACTS.items():
        relation = f"staging.stg_landing__{table}"
        checks.append(Check("latest_version_unique", relation, "unique", columns=contract.key,
                            description="One current version per key after de-duplicating deliveries"))
    checks.append(Check("sampling_rate_is_a_probability", "staging.stg_landing__audits", "between",
                        column="sampling_rate", min_value=0, max_value=1, strict_min=True))
    checks.append(Check("manifest_status_known", "raw.load_manifest", "in_set", column="status",
                        values=("loaded", "rejected", "empty", "duplicate_file", "in_progress")))
    return checks


def all_checks(settings: GateSettings | None = None) -> list[Check]:
    settings = settings or GateSettings()
    checks = [check for contract in read_mart_contracts().values() for check in mart_checks(contract)]
    return checks + rule_checks(settings) + staging_checks()


def suites(settings: GateSettings | None = None) -> dict[str, list[Check]]:
    """Checks grouped by the table they run on: one suite per table."""
    grouped: dict[str, list[Check]] = defaultdict(list)
    for check in all_checks(settings):
        grouped[check.table].append(check)
    return dict(grouped)
