-- Nothing is dropped silently between staging and the facts: every staged decision, audit, appeal and
-- shift is in its fact table or listed in dq_orphans (waiting for a parent). Catches inner joins that
-- lose rows without a trace (e.g. an audit of a decision whose item has not arrived, a shift outside
-- every roster version).
with staged as (
    select 'decisions' as table_name, count(*) as staged_rows from {{ ref('stg_landing__decisions') }}
    union all
    select 'audits' as table_name, count(*) as staged_rows from {{ ref('stg_landing__audits') }}
    union all
    select 'appeals' as table_name, count(*) as staged_rows from {{ ref('stg_landing__appeals') }}
    union all
    select 'shifts' as table_name, count(*) as staged_rows from {{ ref('stg_landing__shifts') }}
),

facts as (
    select 'decisions' as table_name, count(*) as fact_rows from {{ ref('fct_decisions') }}
    union all
    select 'audits' as table_name, count(*) as fact_rows from {{ ref('fct_qa_audits') }}
    union all
    select 'appeals' as table_name, count(*) as fact_rows from {{ ref('fct_appeals') }}
    union all
    select 'shifts' as table_name, count(*) as fact_rows from {{ ref('fct_shifts') }}
),

orphans as (
    select
        table_name,
        count(*) as orphan_rows
    from {{ ref('dq_orphans') }}
    group by table_name
)

select
    staged.table_name,
    staged.staged_rows,
    facts.fact_rows,
    coalesce(orphans.orphan_rows, 0) as orphan_rows
from staged
inner join facts on staged.table_name = facts.table_name
left join orphans on staged.table_name = orphans.table_name
where staged.staged_rows <> facts.fact_rows + coalesce(orphans.orphan_rows, 0)
