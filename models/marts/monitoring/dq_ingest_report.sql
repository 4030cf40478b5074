-- Data quality of the raw layer per landing table: files and rows seen, loaded, quarantined,
-- superseded by later deliveries, and children waiting for their parent.
{% set tables = {
    'items': 'stg_landing__items', 'decisions': 'stg_landing__decisions', 'audits': 'stg_landing__audits',
    'appeals': 'stg_landing__appeals', 'calibration_labels': 'stg_landing__calibration_labels',
    'roster': 'stg_landing__roster', 'shifts': 'stg_landing__shifts', 'trainings': 'stg_landing__trainings'
} %}
with manifest as (
    select * from {{ ref('stg_landing__load_manifest') }}
),

files as (
    select
        table_name,
        count(*) as files_seen,
        sum(case when status = 'loaded' then 1 else 0 end) as files_loaded,
        sum(case when status = 'rejected' then 1 else 0 end) as files_rejected,
        sum(case when status = 'empty' then 1 else 0 end) as files_empty,
        sum(case when status = 'duplicate_file' then 1 else 0 end) as files_duplicate,
        sum(case when status = 'in_progress' then 1 else 0 end) as files_in_progress,
        sum(coalesce(rows_in_file, 0)) as rows_in_files,
        sum(rows_loaded) as rows_loaded,
        sum(rows_quarantined) as rows_quarantined,
        sum(rows_duplicate) as rows_duplicate,
        max(loaded_at) as last_loaded_at
    from manifest
    group by table_name
),

staged as (
    {% for table, model in tables.items() %}
    select '{{ table }}' as table_name, count(*) as staged_rows from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

raw_counts as (
    select * from {{ ref('int_raw_key_counts') }}
),

orphans as (
    select table_name, count(*) as orphan_rows from {{ ref('dq_orphans') }} group by table_name
),

final as (
    select
        staged.table_name,
        cast(coalesce(files.files_seen, 0) as bigint) as files_seen,
        cast(coalesce(files.files_loaded, 0) as bigint) as files_loaded,
        cast(coalesce(files.files_rejected, 0) as bigint) as files_rejected,
        cast(coalesce(files.files_empty, 0) as bigint) as files_empty,
        cast(coalesce(files.files_duplicate, 0) as bigint) as files_duplicate,
        cast(coalesce(files.files_in_progress, 0) as bigint) as files_in_progress,
        cast(coalesce(files.rows_in_files, 0) as bigint) as rows_in_files,
        cast(coalesce(files.rows_loaded, 0) as bigint) as rows_loaded,
        cast(coalesce(files.rows_quarantined, 0) as bigint) as rows_quarantined,
        cast(coalesce(files.rows_duplicate, 0) as bigint) as rows_duplicate,
        cast(raw_counts.raw_rows as bigint) as raw_rows,
        cast(staged.staged_rows as bigint) as staged_rows,
        cast(raw_counts.raw_keys as bigint) as raw_keys,
        cast(coalesce(files.rows_loaded, 0) - staged.staged_rows as bigint) as superseded_versions,
        cast(coalesce(orphans.orphan_rows, 0) as bigint) as orphan_rows,
        files.last_loaded_at
    from staged
    left join files on staged.table_name = files.table_name
    left join orphans on staged.table_name = orphans.table_name
    inner join raw_counts on staged.table_name = raw_counts.table_name
)

select * from final
