with source as (
    {{ latest_version(source('landing', 'trainings'), var('raw_keys')['trainings']) }}
),

final as (
    select
        training_id,
        person_id,
        course_id,
        cast(started_at as timestamp) as started_at,
        cast(completed_at as timestamp) as completed_at,
        assessment_score,
        passed,
        _source_file as source_file,
        _source_line as source_line,
        _load_id as load_id
    from source
)

select * from final
