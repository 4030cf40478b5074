-- One person's working day with the staff version valid that day and the work they logged.
with shifts as (
    select * from {{ ref('stg_landing__shifts') }}
),

moderator_versions as (
    select * from {{ ref('int_moderators_versioned') }}
),

work as (
    select
        moderator_id,
        decision_date,
        count(*) as decisions,
        sum(handle_seconds) as handle_seconds
    from {{ ref('fct_decisions') }}
    where not is_automated
    group by moderator_id, decision_date
),

final as (
    select
        shifts.shift_id,
        shifts.person_id,
        shifts.shift_date,
        moderator_versions.moderator_version_id,
        moderator_versions.vendor_id,
        moderator_versions.site,
        moderator_versions.team,
        moderator_versions.role,
        shifts.scheduled_minutes,
        shifts.logged_in_minutes,
        shifts.training_minutes,
        shifts.logged_in_minutes - shifts.training_minutes as productive_minutes,
        cast(coalesce(work.decisions, 0) as bigint) as decisions,
        cast(coalesce(work.handle_seconds, 0) as bigint) as handle_seconds,
        {{ safe_divide('shifts.scheduled_minutes - shifts.logged_in_minutes', 'shifts.scheduled_minutes') }}
            as shrinkage,
        {{ safe_divide('coalesce(work.handle_seconds, 0)', 'shifts.logged_in_minutes * 60') }} as utilization
    from shifts
    inner join moderator_versions
        on shifts.person_id = moderator_versions.moderator_id
        and cast(shifts.shift_date as timestamp) >= moderator_versions.valid_from
        and (moderator_versions.valid_to is null or cast(shifts.shift_date as timestamp) < moderator_versions.valid_to)
    left join work on shifts.person_id = work.moderator_id and shifts.shift_date = work.decision_date
)

select * from final
