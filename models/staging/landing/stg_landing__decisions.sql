{{ config(**incremental_config('delivery', 'decision_id', redelivered_in='decisions')) }}
-- Incremental: a run reads only the deliveries since the last build (delivered_since) and replaces their keys.
with source as (
    {{ latest_version(source('landing', 'decisions'), var('raw_keys')['decisions'], incremental=is_incremental()) }}
),

final as (
    select
        decision_id,
        item_id,
        moderator_id,
        is_automated,
        verdict,
        policy_code,
        cast(decided_at as timestamp) as decided_at,
        handle_seconds,
        _source_file as source_file,
        _source_line as source_line,
        _load_id as load_id
    from source
)

select * from final
