{{ config(**incremental_config('delivery', 'appeal_id', redelivered_in='appeals')) }}
-- Incremental: a run reads only the deliveries since the last build (delivered_since) and replaces their keys.
with source as (
    {{ latest_version(source('landing', 'appeals'), var('raw_keys')['appeals'], incremental=is_incremental()) }}
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
