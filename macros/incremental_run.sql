{#- What the runner tells an incremental build (orchestration/incremental.py): the newest load the previous
    build included, and how far back a backfill reaches. Read from the environment when models run, never
    while dbt parses: dbt re-parses the whole project whenever a value it saw while parsing changes (as
    --vars, these changed on every run and cost a full parse each time). At parse time both are none. -#}
{% macro incremental_since() -%}
    {%- if not execute %}{{ return(none) }}{% endif -%}
    {{ return(env_var('MODQA_SINCE_LOAD_ID', '') or none) }}
{%- endmacro %}

{% macro incremental_rebuild_from() -%}
    {%- if not execute %}{{ return(none) }}{% endif -%}
    {{ return(env_var('MODQA_REBUILD_FROM_DATE', '') or none) }}
{%- endmacro %}
