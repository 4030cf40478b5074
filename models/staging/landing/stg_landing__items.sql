{{ config(**incremental_config('delivery', 'item_id', redelivered_in='items')) }}
-- Incremental: a run reads only the deliveries since the last build (delivered_since) and replaces their keys.
with source as (
    {{ latest_version(source('landing', 'items'), var('raw_keys')['items'], incremental=is_incremental()) }}
),

final as (
    select
        item_id,
        item_type,
        queue_id,
        market,
        language,
        cast(enqueued_at as timestamp) as enqueued_at,
        _source_file as source_file,
        _source_line as source_line,
        _load_id as load_id
    from source
)

select * from final
