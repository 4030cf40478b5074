-- Nothing is dropped silently between staging and the facts: every staged decision, audit, appeal and
-- shift is in its fact table or listed in dq_orphans (waiting for a parent). Catches inner joins that
-- lose rows (e.g. an audit of a decision whose item has not arrived, a shift outside every roster
-- version) without a trace.
with orphans as (
    select table_name, count(*) as orphan_rows
    from {{ ref('dq_orphans') }}
    group by table_name
),

counts as (
    select 'decisions' as table_name,
           (select count(*) from {{ ref('stg_landing__decisions') }}) as staged_rows,
           (select count(*) from {{ ref('fct_decisions') }}) as fact_rows
    union all
    select 'audits',
           (select count(*) from {{ ref('stg_landing__audits') }}),
           (select count(*) from {{ ref('fct_qa_audits') }})
    union all
    select 'appeals',
           (select count(*) from {{ ref('stg_landing__appeals') }}),
           (select count(*) from {{ ref('fct_appeals') }})
    union all
    select 'shifts',
           (select count(*) from {{ ref('stg_landing__shifts') }}),
           (select count(*) from {{ ref('fct_shifts') }})
)

select counts.*, coalesce(orphans.orphan_rows, 0) as orphan_rows
from counts
left join orphans on counts.table_name = orphans.table_name
where counts.staged_rows <> counts.fact_rows + coalesce(orphans.orphan_rows, 0)
