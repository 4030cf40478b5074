-- Keys delivered in more than one version by a single load (DESIGN §3). The version in use is the
-- latest in delivery order (the file's modification time, then its path): the same as if the files had
-- landed in separate runs in that order. That order is only in doubt when the two latest versions came
-- in files modified at the same instant (the path broke the tie) or when the later file's name carries
-- an earlier data date than the file it overrides: such keys are `is_order_in_doubt`.
-- Only keys that ingest flagged `_redelivered` can have a second version, so only their rows are read.
-- Read straight from raw, like int_raw_key_counts. A load's rows never change once it is stored, so an
-- incremental run reads only the loads delivered since the last build and adds their rows.
{{ config(**incremental_config('delivery', ['table_name', 'record_key', 'load_id'])) }}
{%- set data_date = "regexp_extract({}, '([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})', 1)" %}
with
{% for table, key_columns in var('raw_keys').items() %}
{{ table }}_ranked as (
    select
        '{{ table }}' as table_name,
        {% for key in key_columns %}{{ " || ', ' || " if not loop.first }}cast(versions.{{ key }} as {{ dbt.type_string() }}){% endfor %} as record_key,
        versions._load_id as load_id,
        versions._row_hash as row_hash,
        versions._source_file as source_file,
        versions._delivered_at as delivered_at,
        row_number() over (
            partition by {% for key in key_columns %}versions.{{ key }}, {% endfor %}versions._load_id
            order by
                {%- for column in var('raw_delivery_order') %}
                {{ ', ' if not loop.first }}versions.{{ column }} desc
                {%- endfor %}
        ) as delivery_rank
    from {{ source('landing', table) }} as versions
    inner join (
        select distinct {{ key_columns | join(', ') }}, _load_id
        from {{ source('landing', table) }}
        where _redelivered{% if is_incremental() %} and {{ delivered_since('_load_id') }}{% endif %}
    ) as repeated
        on {% for key in key_columns %}{{ ' and ' if not loop.first }}versions.{{ key }} = repeated.{{ key }}{% endfor %}
        and versions._load_id = repeated._load_id
    {%- if is_incremental() %}
    where {{ delivered_since('versions._load_id') }}
    {%- endif %}
),

{% endfor %}
ranked as (
    {% for table in var('raw_keys') %}
    select * from {{ table }}_ranked
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

per_key as (
    select
        table_name,
        record_key,
        load_id,
        count(*) as deliveries,
        count(distinct row_hash) as distinct_versions,
        max(case when delivery_rank = 1 then source_file end) as latest_source_file,
        max(case when delivery_rank = 1 then delivered_at end) as latest_delivered_at,
        max(case when delivery_rank = 2 then source_file end) as previous_source_file,
        max(case when delivery_rank = 2 then delivered_at end) as previous_delivered_at
    from ranked
    group by table_name, record_key, load_id
),

final as (
    select
        per_key.*,
        latest_delivered_at = previous_delivered_at
        or (
            {{ data_date.format('latest_source_file') }} <> ''
            and {{ data_date.format('previous_source_file') }} <> ''
            and {{ data_date.format('latest_source_file') }} < {{ data_date.format('previous_source_file') }}
        ) as is_order_in_doubt
    from per_key
    where distinct_versions > 1
)

select * from final
