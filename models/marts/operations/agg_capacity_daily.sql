-- Per day and queue: inflow, outflow, backlog, handling time and the staffing the inflow needs.
-- required FTE = inflow × AHT / (productive seconds per FTE per day × target occupancy).
with workload as (
    select * from {{ ref('int_queue_days_workload') }}
),

decisions as (
    select
        decision_date,
        queue_id,
        count(*) as decisions,
        sum(case when is_automated then 1 else 0 end) as automated_decisions,
        sum(case when is_automated then 0 else handle_seconds end) as human_handle_seconds,
        sum(case when is_automated then 0 else 1 end) as human_decisions
    from {{ ref('fct_decisions') }}
    group by decision_date, queue_id
),

joined as (
    select
        workload.date_day,
        workload.queue_id,
        workload.inflow,
        workload.outflow,
        workload.backlog_end_of_day,
        workload.overdue_backlog_end_of_day,
        cast(coalesce(decisions.decisions, 0) as bigint) as decisions,
        cast(coalesce(decisions.automated_decisions, 0) as bigint) as automated_decisions,
        cast(coalesce(decisions.human_decisions, 0) as bigint) as human_decisions,
        cast(coalesce(decisions.human_handle_seconds, 0) as bigint) as human_handle_seconds
    from workload
    left join decisions
        on workload.queue_id = decisions.queue_id and workload.date_day = decisions.decision_date
),

final as (
    select
        date_day,
        queue_id,
        inflow,
        outflow,
        backlog_end_of_day,
        overdue_backlog_end_of_day,
        decisions,
        automated_decisions,
        human_decisions,
        human_handle_seconds,
        {{ safe_divide('human_handle_seconds', 'human_decisions') }} as average_handle_seconds,
        {{ safe_divide('automated_decisions', 'decisions') }} as automation_share,
        {{ safe_divide(
            'inflow * (1.0 - coalesce(' ~ safe_divide('automated_decisions', 'decisions') ~ ', 0)) * '
            ~ safe_divide('human_handle_seconds', 'human_decisions'),
            var('productive_seconds_per_fte_day') ~ ' * ' ~ var('target_occupancy')) }} as required_fte
    from joined
)

select * from final
