-- Every row that did not load, with table, file, line, column and reason: what to fix and where.
select
    table_name,
    source_file,
    source_line,
    column_name,
    reason_code,
    reason,
    record_key,
    load_id,
    loaded_at
from {{ ref('stg_landing__quarantine') }}
