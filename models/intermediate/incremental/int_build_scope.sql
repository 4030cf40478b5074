-- One row: what this build rebuilt. A full build (no `since_load_id`) rebuilt every row. An incremental
-- build read only the loads after `since_load_id` and rebuilt, in its incremental models (int_rebuilt_rows),
-- only the decisions in int_reopened_decisions and the days in int_reopened_days; every other row of them
-- is what the previous, validated build held. The publish gate reads this row to validate the rebuilt
-- rows of the large incremental tables rather than all of their history again.
{%- set since = incremental_since() %}
{%- set incremental = since is not none %}
select
    cast({{ "'" ~ since ~ "'" if incremental else 'null' }} as {{ dbt.type_string() }}) as since_load_id,
    {{ 'true' if incremental else 'false' }} as is_incremental
