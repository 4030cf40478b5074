with source as (
    select * from {{ source('landing', 'load_manifest') }}
),

final as (
    select
        load_id,
        batch_id,
        table_name,
        source_file,
        file_format,
        content_hash,
        file_bytes,
        status,
        message,
        rows_in_file,
        rows_loaded,
        rows_quarantined,
        rows_duplicate,
        cast(loaded_at as timestamp) as loaded_at
    from source
)

select * from final
