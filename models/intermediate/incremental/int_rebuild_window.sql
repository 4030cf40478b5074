-- The first day the incremental models rebuild on this run (one row). Everything from that day on
-- is recomputed from the full staging tables; earlier days are kept as they are.
--
-- A day re-opens when anything that feeds it arrived after the last successful build (the loads
-- after dbt var `since_load_id`, which `modqa run` passes): a decision made that day, an audit or a
-- dispute outcome of such a decision, a late item (parent) of it, a roster snapshot that changes who
-- the moderator worked for, or an item enqueued that day. On top of that, the last
-- `incremental_lookback_days` days always re-open, and a backfill re-opens from `rebuild_from_date`.
-- Without `since_load_id` (first build, lost state) everything re-opens.
{%- set since = var('since_load_id', none) %}
{%- set rebuild_from = var('rebuild_from_date', none) %}
with decisions as (
    select decision_id, item_id, cast(decided_at as date) as decision_date, load_id
    from {{ ref('stg_landing__decisions') }}
),

{%- if since is not none %}

items as (
    select item_id, cast(enqueued_at as date) as enqueued_date, load_id
    from {{ ref('stg_landing__items') }}
),

audits as (
    select decision_id, load_id from {{ ref('stg_landing__audits') }}
),

roster as (
    select person_id, snapshot_date, hired_on, load_id from {{ ref('stg_landing__roster') }}
),

known_people as (
    select distinct person_id from roster where load_id <= '{{ since }}'
),

reopened_days as (
    select decision_date as reopened_date from decisions where load_id > '{{ since }}'
    union all
    select decisions.decision_date
    from audits
    inner join decisions on audits.decision_id = decisions.decision_id
    where audits.load_id > '{{ since }}'
    union all
    select decisions.decision_date
    from items
    inner join decisions on items.item_id = decisions.item_id
    where items.load_id > '{{ since }}'
    union all
    select enqueued_date from items where load_id > '{{ since }}'
    union all
    -- A new person's first version reaches back to the hire date; a known person's changes start
    -- at the snapshot.
    select case when known_people.person_id is null and roster.hired_on < roster.snapshot_date
                then roster.hired_on else roster.snapshot_date end
    from roster
    left join known_people on roster.person_id = known_people.person_id
    where roster.load_id > '{{ since }}'
),
{%- endif %}

bounds as (
    select
        {%- if since is none %}
        cast('1900-01-01' as date) as first_reopened_date,
        {%- else %}
        (select min(reopened_date) from reopened_days) as first_reopened_date,
        {%- endif %}
        cast({{ dbt.dateadd('day', -var('incremental_lookback_days'), 'max(decision_date)') }} as date)
            as lookback_start,
        max(load_id) as built_through_load_id
    from decisions
),

final as (
    select
        cast(least(
            coalesce(first_reopened_date, lookback_start, cast('1900-01-01' as date)),
            coalesce(lookback_start, cast('1900-01-01' as date))
            {%- if rebuild_from is not none %},
            cast('{{ rebuild_from }}' as date)
            {%- endif %}
        ) as date) as rebuild_from_date,
        first_reopened_date,
        lookback_start,
        {{ "cast('" ~ since ~ "' as string)" if since is not none else 'cast(null as string)' }} as since_load_id,
        built_through_load_id
    from bounds
)

select * from final
