with source as (
    {{ latest_version(source('landing', 'shifts'), var('raw_keys')['shifts']) }}
),

final as (
    select
        person_id || '|' || cast(shift_date as string) as shift_id,
        person_id,
        shift_date,
        scheduled_minutes,
        logged_in_minutes,
        training_minutes,
        _source_file as source_file,
        _source_line as source_line,
        _load_id as load_id
    from source
)

select * from final
