{#- Spark pre-hook of the models partitioned by their period (macros/incremental_config.sql): before an
    incremental run overwrites the partitions it rebuilds, drop every partition it re-opens, so that a
    period whose rows all moved away (a corrected decision day) does not keep them. Without a previous
    build to go on (`since` unknown) every row re-opens: the table is emptied. Nothing in a full build. -#}
{% macro drop_reopened_partitions() %}
    {%- if not execute or not is_incremental() %}{{ return('') }}{% endif -%}
    {%- if incremental_since() is none %}{{ return('truncate table ' ~ this) }}{% endif -%}
    {%- set reopened_by = config.get('meta')['reopened_by'] -%}
    {%- set column = config.get('partition_by')[0] -%}
    {%- set periods = run_query(reopened_periods(reopened_by)) -%}
    {%- if periods.rows | length == 0 %}{{ return('') }}{% endif -%}
    alter table {{ this }} drop if exists
    {%- for row in periods.rows %} partition ({{ column }} = '{{ row[0] }}'){{ ',' if not loop.last }}{% endfor %}
{% endmacro %}
