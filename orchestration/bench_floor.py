"""The benchmark's floor: one hand-written DuckDB script that reads the landing files and computes
fct_decisions and agg_quality_daily directly — no validation, quarantine, lineage, tests, gate or
publish. What the warehouse costs on top of this is the price of its guarantees."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from orchestration.ingest.sql import sql_string

Z = 1.959963984540054


# The reader of each landing format, and its options (a bench lands one format per run).
READERS = {"parquet": "read_parquet({files}, filename = true)",
           "csv": "read_csv({files}, header = true, union_by_name = true, filename = true)",
           "jsonl": "read_json({files}, format = 'newline_delimited', union_by_name = true, filename = true)"}


def _landed(landing: Path, table: str) -> str:
    for extension, reader in READERS.items():
        if next((landing / table).glob(f"*/*.{extension}"), None) is not None:
            return reader.format(files=sql_string(f"{landing}/{table}/*/*.{extension}"))
    raise FileNotFoundError(f"no landing files for {table} under {landing / table}")


def _latest(landing: Path, table: str, key: str, order: str = "filename desc") -> str:
    return (f"select * exclude (version_rank, filename) from (select *, row_number() over "
            f"(partition by {key} order by {order}) as version_rank from {_landed(landing, table)}) "
            f"where version_rank = 1")


def wilson(p: str, n: str, sign: str) -> str:
    return (f"case when {n} > 0 then ({p} + {Z}*{Z}/(2*{n}) {sign} {Z}*sqrt({p}*(1-{p})/{n} + {Z}*{Z}/(4*{n}*{n})))"
            f" / (1 + {Z}*{Z}/{n}) end")


def run_floor(landing: Path, temp_dir: Path) -> int:
    """Compute the floor's two tables; the number of agg_quality_daily rows."""
    con = floor_tables(landing, temp_dir)
    try:
        return con.execute("select count(*) from agg_quality_daily").fetchone()[0]
    finally:
        con.close()


def floor_tables(landing: Path, temp_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory connection holding temp tables fct_decisions and agg_quality_daily."""
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'; set preserve_insertion_order = false")
    # The dbt build's memory budget (profiles.yml), spilling beyond it, so that the floor survives
    # every size the warehouse does.
    con.execute(f"set memory_limit = {sql_string(os.environ.get('MODQA_DUCKDB_MEMORY_LIMIT', '8GB'))}")
    temp_dir.mkdir(parents=True, exist_ok=True)
    con.execute(f"set temp_directory = {sql_string(str(temp_dir))}")
    con.execute(f"create temp table items as {_latest(landing, 'items', 'item_id')}")
    con.execute(f"create temp table decisions as {_latest(landing, 'decisions', 'decision_id')}")
    con.execute(f"create temp table audits as {_latest(landing, 'audits', 'audit_id')}")
    con.execute(f"create temp table roster as {_latest(landing, 'roster', 'person_id, snapshot_date')}")
    con.execute("""
        create temp table fct_decisions as
        with latest as (
            select * from (select a.*, row_number() over (partition by decision_id
                                                          order by audited_at desc, audit_id desc) as rank
                           from audits a) where rank = 1
        ), first_random as (
            select decision_id, arg_min(sampling_rate, (audited_at, audit_id)) as sampling_rate
            from audits where audit_type = 'random' group by decision_id
        ), versions as (
            select person_id, vendor_id, cast(snapshot_date as timestamp) as valid_from from roster
        )
        select d.decision_id, cast(d.decided_at as date) as decision_date, i.queue_id, i.market,
               case when d.is_automated then 'automation' else coalesce(v.vendor_id, 'unknown') end as vendor_id,
               d.verdict, fr.sampling_rate is not null as is_in_sample, 1.0 / fr.sampling_rate as weight,
               case when l.dispute_outcome = 'upheld' then d.verdict else l.qa_verdict end as qa_verdict
        from decisions d
        join items i using (item_id)
        asof left join versions v on v.person_id = d.moderator_id and d.decided_at >= v.valid_from
        left join latest l using (decision_id)
        left join first_random fr using (decision_id)
    """)
    acc, fpr, fnr = "(tp + tn) / n", "fp / (fp + tn)", "fn / (fn + tp)"
    con.execute(f"""
        create temp table agg_quality_daily as
        with sums as (
            select decision_date, vendor_id, queue_id, market, count(*) as decisions,
                   count(*) filter (where is_in_sample)::double as n,
                   count(*) filter (where is_in_sample and verdict = 'reject' and qa_verdict = 'reject')::double as tp,
                   count(*) filter (where is_in_sample and verdict = 'reject' and qa_verdict = 'approve')::double as fp,
                   count(*) filter (where is_in_sample and verdict = 'approve' and qa_verdict = 'reject')::double as fn,
                   count(*) filter (where is_in_sample and verdict = 'approve' and qa_verdict = 'approve')::double
                       as tn,
                   sum(weight) as sum_w, sum(weight * weight) as sum_w2
            from fct_decisions group by all
        )
        select *, {acc} as accuracy, {wilson(acc, 'n', '-')} as accuracy_ci_low, {wilson(acc, 'n', '+')}
                   as accuracy_ci_high,
               {fpr} as fpr, {wilson(fpr, '(fp + tn)', '-')} as fpr_low, {wilson(fpr, '(fp + tn)', '+')} as fpr_high,
               {fnr} as fnr, {wilson(fnr, '(fn + tp)', '-')} as fnr_low, {wilson(fnr, '(fn + tp)', '+')} as fnr_high
        from sums
    """)
    return con
