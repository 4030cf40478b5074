-- Per day and staff member: work, quality of their in-sample decisions, and their shift.
with decisions as (
    select * from {{ ref('fct_decisions') }}
    where not is_automated
),

daily_work as (
    select
        decision_date,
        moderator_id,
        max(moderator_version_id) as moderator_version_id,
        max(vendor_id) as vendor_id,
        count(*) as decisions,
        sum(handle_seconds) as handle_seconds,
        sum(case when is_in_sample then 1 else 0 end) as in_sample,
        sum(case when is_in_sample and is_correct then 1 else 0 end) as correct,
        sum(case when is_in_sample and outcome = 'FP' then 1 else 0 end) as false_positives,
        sum(case when is_in_sample and outcome = 'FN' then 1 else 0 end) as false_negatives
    from decisions
    group by decision_date, moderator_id
),

shifts as (
    select * from {{ ref('fct_shifts') }}
),

joined as (
    select
        coalesce(daily_work.decision_date, shifts.shift_date) as activity_date,
        coalesce(daily_work.moderator_id, shifts.person_id) as moderator_id,
        coalesce(daily_work.moderator_version_id, shifts.moderator_version_id) as moderator_version_id,
        coalesce(daily_work.vendor_id, shifts.vendor_id) as vendor_id,
        cast(coalesce(daily_work.decisions, 0) as bigint) as decisions,
        cast(coalesce(daily_work.handle_seconds, 0) as bigint) as handle_seconds,
        cast(coalesce(daily_work.in_sample, 0) as bigint) as in_sample,
        cast(coalesce(daily_work.correct, 0) as bigint) as correct,
        cast(coalesce(daily_work.false_positives, 0) as bigint) as false_positives,
        cast(coalesce(daily_work.false_negatives, 0) as bigint) as false_negatives,
        shifts.scheduled_minutes,
        shifts.logged_in_minutes,
        shifts.training_minutes,
        shifts.shift_id is not null as has_shift
    from daily_work
    full outer join shifts
        on daily_work.moderator_id = shifts.person_id and daily_work.decision_date = shifts.shift_date
),

final as (
    select
        activity_date,
        moderator_id,
        moderator_version_id,
        vendor_id,
        decisions,
        handle_seconds,
        {{ safe_divide('handle_seconds', 'decisions') }} as average_handle_seconds,
        in_sample,
        correct,
        false_positives,
        false_negatives,
        {{ safe_divide('correct', 'in_sample') }} as accuracy,
        {{ wilson_bound(safe_divide('correct', 'in_sample'), 'in_sample', 'low') }} as accuracy_ci_low,
        {{ wilson_bound(safe_divide('correct', 'in_sample'), 'in_sample', 'high') }} as accuracy_ci_high,
        has_shift,
        scheduled_minutes,
        logged_in_minutes,
        training_minutes,
        {{ safe_divide('handle_seconds', 'logged_in_minutes * 60') }} as utilization
    from joined
)

select * from final
