-- Every delivered version in the raw layer and the distinct keys among them (what staging must hold),
-- per landing table: dq_ingest_report's raw_rows and raw_keys, which the publish gate reconciles with
-- what ingest loaded and staging kept. Its own model, read straight from raw, so that it runs beside
-- staging instead of at the end of the build.
{% for table in var('raw_keys') %}
select
    '{{ table }}' as table_name,
    count(*) as raw_rows,
    count(distinct
        {%- for column in var('raw_keys')[table] %}
        {{ '|| chr(31) || ' if not loop.first }}cast({{ column }} as {{ dbt.type_string() }})
        {%- endfor %}
    ) as raw_keys
from {{ source('raw', table) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
