with source as (
    {{ latest_version(source('raw', 'items'), ['item_id']) }}
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
