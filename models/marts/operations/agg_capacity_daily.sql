-- Per day and queue: inflow, outflow, backlog, handling time and the staffing the inflow needs.
-- AHT = Σ handle_seconds / decisions; required FTE = inflow × AHT / (productive seconds per FTE per
-- day × target occupancy), both as DESIGN §4 defines them.
with workload as (
    select * from {{ ref('int_queue_days_workload') }}
),

decisions as (
    select
        decision_date,
        queue_id,
        count(*) as decisions,
        sum(case when is_automated then 1 else 0 end) as automated_decisions,
        sum(handle_seconds) as handle_seconds,
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
        cast(coalesce(decisions.handle_seconds, 0) as bigint) as handle_seconds
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
        handle_seconds,
        {{ safe_divide('handle_seconds', 'decisions') }} as average_handle_seconds,
        {{ safe_divide('automated_decisions', 'decisions') }} as automation_share,
        {{ safe_divide('inflow * ' ~ safe_divide('handle_seconds', 'decisions'),
                       var('productive_seconds_per_fte_day') ~ ' * ' ~ var('target_occupancy')) }} as required_fte
    from joined
)

select * from final
