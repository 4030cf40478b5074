with source as (
    select * from {{ source('landing', 'quarantine') }}
),

final as (
    select
        table_name,
        source_file,
        source_line,
        column_name,
        reason_code,
        reason,
        record_key,
        load_id,
        cast(loaded_at as timestamp) as loaded_at
    from source
)

select * from final
