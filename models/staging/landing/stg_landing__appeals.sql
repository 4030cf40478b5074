with source as (
    {{ latest_version(source('landing', 'appeals'), var('raw_keys')['appeals']) }}
),

final as (
    select
        appeal_id,
        decision_id,
        cast(filed_at as timestamp) as filed_at,
        cast(resolved_at as timestamp) as resolved_at,
        appeal_outcome,
        _source_file as source_file,
        _source_line as source_line,
        _load_id as load_id
    from source
)

select * from final
