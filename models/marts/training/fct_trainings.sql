-- One row per training enrolment (landing table trainings, latest delivery) with its course and the
-- person's vendor when the training started (the roster version valid then).
with trainings as (
    select * from {{ ref('stg_landing__trainings') }}
),

courses as (
    select * from {{ ref('stg_reference__courses') }}
),

moderator_versions as (
    select * from {{ ref('dim_moderator') }}
),

final as (
    select
        trainings.training_id,
        trainings.person_id,
        moderator_versions.moderator_version_id,
        moderator_versions.vendor_id,
        trainings.course_id,
        courses.course_name,
        courses.course_type,
        courses.policy_code,
        courses.duration_minutes,
        trainings.started_at,
        cast(trainings.started_at as date) as started_date,
        trainings.completed_at,
        cast(trainings.completed_at as date) as completed_date,
        trainings.completed_at is not null as is_completed,
        trainings.assessment_score,
        trainings.passed
    from trainings
    inner join courses on trainings.course_id = courses.course_id
    left join moderator_versions
        on trainings.person_id = moderator_versions.moderator_id
        and trainings.started_at >= moderator_versions.valid_from
        and (moderator_versions.valid_to is null or trainings.started_at < moderator_versions.valid_to)
)

select * from final
