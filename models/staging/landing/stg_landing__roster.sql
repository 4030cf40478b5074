with source as (
    {{ latest_version(source('landing', 'roster'), var('raw_keys')['roster']) }}
),

final as (
    select
        person_id || '|' || cast(snapshot_date as string) as roster_record_id,
        snapshot_date,
        person_id,
        vendor_id,
        site,
        team,
        role,
        primary_language,
        hired_on,
        status,
        _source_file as source_file,
        _source_line as source_line,
        _load_id as load_id
    from source
)

select * from final
