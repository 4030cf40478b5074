-- Per queue and calendar day: inflow, first-decision outflow and the backlog at end of day.
-- Backlog = items enqueued by end of day without a first decision by then, computed as
-- cumulative inflow - cumulative outflow (a first decision never precedes its item; ingest
-- quarantines such rows). Overdue backlog counts the part past its SLA due time at end of day:
-- due before end of day, minus those due and decided before end of day.
with items as (
    select * from {{ ref('int_items_first_decided') }}
),

bounds as (
    select
        min(enqueued_date) as first_date,
        max(coalesce(first_decision_date, enqueued_date)) as last_date
    from items
),

days as (
    {{ date_series('(select first_date from bounds)', '(select last_date from bounds)') }}
),

queues as (
    select queue_id from {{ ref('stg_reference__queues') }}
),

timed as (
    select
        queue_id,
        enqueued_date,
        first_decision_date,
        cast({{ dbt.dateadd('minute', 'sla_minutes', 'enqueued_at') }} as date) as due_date,
        case when first_decided_at is not null then cast(greatest(
            {{ dbt.dateadd('minute', 'sla_minutes', 'enqueued_at') }}, first_decided_at
        ) as date) end as settled_date
    from items
),

-- Items sharing all four days count as one row before the four flows are unpivoted: a few rows per
-- queue and day instead of four per item.
item_days as (
    select queue_id, enqueued_date, first_decision_date, due_date, settled_date, count(*) as items
    from timed
    group by queue_id, enqueued_date, first_decision_date, due_date, settled_date
),

events as (
    select queue_id, enqueued_date as event_date, items as inflow, 0 as outflow, 0 as due, 0 as settled
    from item_days
    union all
    select queue_id, first_decision_date, 0, items, 0, 0 from item_days where first_decision_date is not null
    union all
    select queue_id, due_date, 0, 0, items, 0 from item_days
    union all
    select queue_id, settled_date, 0, 0, 0, items from item_days where settled_date is not null
),

daily as (
    select
        queue_id,
        event_date,
        sum(inflow) as inflow,
        sum(outflow) as outflow,
        sum(due) as due,
        sum(settled) as settled
    from events
    group by queue_id, event_date
),

grid as (
    select queues.queue_id, days.date_day
    from queues
    cross join days
),

filled as (
    select
        grid.queue_id,
        grid.date_day,
        coalesce(daily.inflow, 0) as inflow,
        coalesce(daily.outflow, 0) as outflow,
        coalesce(daily.due, 0) as due,
        coalesce(daily.settled, 0) as settled
    from grid
    left join daily on grid.queue_id = daily.queue_id and grid.date_day = daily.event_date
),

final as (
    select
        queue_id,
        date_day,
        cast(inflow as bigint) as inflow,
        cast(outflow as bigint) as outflow,
        cast(sum(inflow - outflow) over queue_history as bigint) as backlog_end_of_day,
        cast(sum(due - settled) over queue_history as bigint) as overdue_backlog_end_of_day
    from filled
    window queue_history as (partition by queue_id order by date_day rows between unbounded preceding and current row)
)

select * from final
