-- Every delivered version in the raw layer and the distinct keys among them (what staging must hold),
-- per landing table: dq_ingest_report's raw_rows and raw_keys, which the publish gate reconciles with
-- what ingest loaded and staging kept. A key's first loaded delivery is its one row that ingest did not
-- flag `_redelivered`, so counting those counts the keys without a distinct over every key. Its own
-- model, read straight from raw, so that it runs beside staging instead of at the end of the build.
{% for table in var('raw_keys') %}
select
    '{{ table }}' as table_name,
    count(*) as raw_rows,
    cast(coalesce(sum(case when _redelivered then 0 else 1 end), 0) as bigint) as raw_keys
from {{ source('landing', table) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
