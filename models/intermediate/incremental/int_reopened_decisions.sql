-- The decisions an incremental run rebuilds: every decision of an item that anything arrived for
-- since the last successful build (`since_load_id`, passed by `modqa run`; macros/incremental_run.sql).
--
-- An item is touched by a new or re-delivered decision of it, an audit or a settled dispute of one of
-- its decisions, its own (late) delivery, or a roster snapshot that changes who made one of its
-- decisions (from the snapshot on; for a new person, from the hire date). All decisions of a touched
-- item are rebuilt because a new decision can change which one is the item's first. The decisions of
-- the latest day and the `incremental_lookback_days` days before it, and a backfill's days from
-- `rebuild_from_date`, are rebuilt too. Without `since_load_id` (first build, lost state) the table is
-- empty and the incremental models rebuild everything (macros/is_reopened.sql).
{{ config(materialized='table') }}
-- depends_on: {{ ref('stg_landing__audits') }}, {{ ref('stg_landing__items') }}, {{ ref('stg_landing__roster') }}
-- (read only in incremental runs, whose since_load_id dbt does not see while it parses)
{%- set since = incremental_since() %}
{%- set rebuild_from = incremental_rebuild_from() %}
with decisions as (
    select decision_id, item_id, moderator_id, decided_at, cast(decided_at as date) as decision_date, load_id
    from {{ ref('stg_landing__decisions') }}
),

{%- if since is none %}

touched_items as (
    select item_id from decisions where false
),

{%- else %}

audits as (
    select audit_id, decision_id, load_id from {{ ref('stg_landing__audits') }}
),

items as (
    select item_id, load_id from {{ ref('stg_landing__items') }}
),

roster as (
    select person_id, snapshot_date, hired_on, load_id from {{ ref('stg_landing__roster') }}
),

-- A corrected delivery may move a decision to another item or day, or an audit to another decision:
-- what the earlier delivery was stored under is rebuilt too (raw keeps every delivery). Only a key
-- loaded before can have an earlier delivery, and ingest flags exactly those rows `_redelivered`: with
-- none among the new rows (the usual day) the history is not searched.
superseded_decisions as (
    select item_id, cast(cast(decided_at as timestamp) as date) as decision_date
    from {{ source('landing', 'decisions') }}
    where not {{ delivered_since('_load_id') }}
        and decision_id in (select decision_id from {{ source('landing', 'decisions') }}
                            where _redelivered and {{ delivered_since('_load_id') }})
),

superseded_audit_targets as (
    select decision_id
    from {{ source('landing', 'audits') }}
    where not {{ delivered_since('_load_id') }}
        and audit_id in (select audit_id from {{ source('landing', 'audits') }}
                         where _redelivered and {{ delivered_since('_load_id') }})
),

roster_changes as (
    select
        roster.person_id,
        cast(min(case when known.person_id is null and roster.hired_on < roster.snapshot_date
                      then roster.hired_on else roster.snapshot_date end) as timestamp) as changed_from
    from roster
    left join (select distinct person_id from roster where not {{ delivered_since('load_id') }}) as known
        on roster.person_id = known.person_id
    where {{ delivered_since('roster.load_id') }}
    group by roster.person_id
),

always_reopened as (
    select
        {%- if rebuild_from is not none %}
        least(
            cast({{ dbt.dateadd('day', -var('incremental_lookback_days'), 'max(decision_date)') }} as date),
            cast('{{ rebuild_from }}' as date)
        ) as first_date
        {%- else %}
        cast({{ dbt.dateadd('day', -var('incremental_lookback_days'), 'max(decision_date)') }} as date)
            as first_date
        {%- endif %}
    from decisions
),

touched_items as (
    select item_id from decisions where {{ delivered_since('load_id') }}
    union
    select decisions.item_id
    from audits
    inner join decisions on audits.decision_id = decisions.decision_id
    where {{ delivered_since('audits.load_id') }}
    union
    select item_id from items where {{ delivered_since('load_id') }}
    union
    select item_id from superseded_decisions
    union
    select decisions.item_id
    from superseded_audit_targets
    inner join decisions on superseded_audit_targets.decision_id = decisions.decision_id
    union
    select decisions.item_id
    from decisions
    inner join roster_changes
        on decisions.moderator_id = roster_changes.person_id and decisions.decided_at >= roster_changes.changed_from
    union
    select item_id from decisions where decision_date >= (select first_date from always_reopened)
),

{%- endif %}

final as (
    -- Items without a decision yet stay listed (decision_id null): their backlog row is rebuilt.
    select touched_items.item_id, decisions.decision_id, decisions.decision_date
    from touched_items
    left join decisions on touched_items.item_id = decisions.item_id
    {%- if since is not none %}
    union all
    -- The day a corrected decision was stored under: it leaves that day's marts.
    select item_id, cast(null as {{ dbt.type_string() }}) as decision_id, decision_date from superseded_decisions
    {%- endif %}
)

select * from final
