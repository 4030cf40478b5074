{{ config(**incremental_config('item', 'item_id', var('incremental_strategy'))) }}
-- depends_on: {{ ref('int_reopened_decisions') }}, {{ ref('int_reopened_days') }}
-- Incremental: the touched items (int_reopened_decisions) are rebuilt, keyed by item.
-- Each item with its first decision (by decided_at, then decision_id) and the SLA timing of it.
-- Items without a decision yet are kept: they are the backlog.
with all_decisions as (
    select decision_id, item_id, decided_at from {{ ref('stg_landing__decisions') }}
),

items as (
    select * from {{ ref('stg_landing__items') }}
    {%- if is_incremental() %}
    where {{ is_reopened_item('item_id') }}
    {%- endif %}
),

decisions as (
    -- Every decision of those items, however old: the first one may predate the new data. All of them are
    -- re-opened, so none predates the first re-opened day.
    select * from all_decisions
    {%- if is_incremental() %}
    where {{ decided_since_first_reopened_day('decided_at') }} and item_id in (select item_id from items)
    {%- endif %}
),

queues as (
    select queue_id, sla_minutes from {{ ref('stg_reference__queues') }}
),

sequenced as (
    select
        decisions.*,
        row_number() over (partition by item_id order by decided_at, decision_id) as decision_sequence
    from decisions
),

first_decisions as (
    select * from sequenced where decision_sequence = 1
),

final as (
    select
        items.item_id,
        items.item_type,
        items.queue_id,
        items.market,
        items.language,
        items.enqueued_at,
        cast(items.enqueued_at as date) as enqueued_date,
        queues.sla_minutes,
        first_decisions.decision_id as first_decision_id,
        first_decisions.decided_at as first_decided_at,
        cast(first_decisions.decided_at as date) as first_decision_date,
        {{ minutes_between('items.enqueued_at', 'first_decisions.decided_at') }} as time_to_decision_minutes,
        case when first_decisions.decided_at is null then null
             else {{ minutes_between('items.enqueued_at', 'first_decisions.decided_at') }} <= queues.sla_minutes
        end as is_within_sla
    from items
    inner join queues on items.queue_id = queues.queue_id
    left join first_decisions on items.item_id = first_decisions.item_id
)

select * from final
