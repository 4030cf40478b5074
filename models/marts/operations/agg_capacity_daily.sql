{%- set scheduled_minutes_per_fte = 'cast(' ~ var('scheduled_minutes_per_fte_day') ~ ' as double)' -%}
-- Per day and queue: inflow, outflow, backlog, handling time, the staffing the inflow needs and the
-- staffing rostered for it. AHT = Σ handle_seconds / decisions; required FTE = inflow × AHT /
-- (productive seconds per FTE per day × target occupancy), both as DESIGN §4 defines them.
-- Rostered FTE = moderators' scheduled minutes / scheduled_minutes_per_fte_day (qa and lead shifts
-- are not moderation capacity). Shifts name no queue, so each moderator's day is allocated to the
-- queues where that moderator handled items that day, pro rata to handle seconds; a shift without
-- handled items that day follows the day's human work mix over all queues; a day with no human work
-- at all leaves its shifts unallocated. The allocated minutes of a day add up to the moderators'
-- minutes of that day.
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

moderator_shifts as (
    select
        person_id,
        shift_date,
        cast(scheduled_minutes as double) as scheduled_minutes,
        cast(logged_in_minutes as double) as logged_in_minutes
    from {{ ref('fct_shifts') }}
    where role = 'moderator'
),

moderator_queue_work as (
    select
        moderator_id,
        decision_date,
        queue_id,
        cast(sum(handle_seconds) as double) as handle_seconds
    from {{ ref('fct_decisions') }}
    where not is_automated
    group by moderator_id, decision_date, queue_id
    having sum(handle_seconds) > 0
),

moderator_work_shares as (
    select
        moderator_id,
        decision_date,
        queue_id,
        handle_seconds / sum(handle_seconds) over (partition by moderator_id, decision_date) as queue_share
    from moderator_queue_work
),

day_work_shares as (
    select
        decision_date,
        queue_id,
        sum(handle_seconds) / sum(sum(handle_seconds)) over (partition by decision_date) as queue_share
    from moderator_queue_work
    group by decision_date, queue_id
),

shifts_with_work as (
    select
        moderator_shifts.shift_date,
        moderator_work_shares.queue_id,
        moderator_shifts.scheduled_minutes * moderator_work_shares.queue_share as scheduled_minutes,
        moderator_shifts.logged_in_minutes * moderator_work_shares.queue_share as logged_in_minutes
    from moderator_shifts
    inner join moderator_work_shares
        on moderator_shifts.person_id = moderator_work_shares.moderator_id
        and moderator_shifts.shift_date = moderator_work_shares.decision_date
),

shifts_without_work as (
    select
        moderator_shifts.shift_date,
        day_work_shares.queue_id,
        moderator_shifts.scheduled_minutes * day_work_shares.queue_share as scheduled_minutes,
        moderator_shifts.logged_in_minutes * day_work_shares.queue_share as logged_in_minutes
    from moderator_shifts
    inner join day_work_shares
        on moderator_shifts.shift_date = day_work_shares.decision_date
    where not exists (
        select 1 from moderator_work_shares
        where moderator_work_shares.moderator_id = moderator_shifts.person_id
            and moderator_work_shares.decision_date = moderator_shifts.shift_date
    )
),

allocated_shifts as (
    select * from shifts_with_work
    union all
    select * from shifts_without_work
),

rostered as (
    select
        shift_date,
        queue_id,
        sum(scheduled_minutes) as scheduled_minutes,
        sum(logged_in_minutes) as logged_in_minutes
    from allocated_shifts
    group by shift_date, queue_id
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
        cast(coalesce(decisions.handle_seconds, 0) as bigint) as handle_seconds,
        cast(coalesce(rostered.scheduled_minutes, 0) as double) as moderator_scheduled_minutes,
        cast(coalesce(rostered.logged_in_minutes, 0) as double) as moderator_logged_in_minutes
    from workload
    left join decisions
        on workload.queue_id = decisions.queue_id and workload.date_day = decisions.decision_date
    left join rostered
        on workload.queue_id = rostered.queue_id and workload.date_day = rostered.shift_date
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
                       var('productive_seconds_per_fte_day') ~ ' * ' ~ var('target_occupancy')) }} as required_fte,
        moderator_scheduled_minutes,
        moderator_logged_in_minutes,
        moderator_scheduled_minutes / {{ scheduled_minutes_per_fte }} as rostered_fte
    from joined
)

select * from final
