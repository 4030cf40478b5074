-- Keys that one load delivered in conflicting versions, and which one is in use (the latest by delivery
-- order). The gate warns about those whose order is in doubt, for a person to confirm.
with conflicting as (
    select * from {{ ref('int_raw_versions_conflicting') }}
),

final as (
    select
        table_name,
        record_key,
        load_id,
        deliveries,
        distinct_versions,
        latest_source_file,
        cast(latest_delivered_at as timestamp) as latest_delivered_at,
        previous_source_file,
        cast(previous_delivered_at as timestamp) as previous_delivered_at,
        is_order_in_doubt
    from conflicting
)

select * from final
