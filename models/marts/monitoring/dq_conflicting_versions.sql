-- Keys that one load delivered in conflicting versions, and which one is in use (the latest by delivery
-- order). The gate warns about those whose order is in doubt, for a person to confirm.
-- Incremental like its parent: a load's rows never change once stored, so a run adds the new loads' keys.
{{ config(**incremental_config('delivery', ['table_name', 'record_key', 'load_id'])) }}
with conflicting as (
    select * from {{ ref('int_raw_versions_conflicting') }}
    {%- if is_incremental() %}
    where {{ delivered_since('load_id') }}
    {%- endif %}
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
