{#- Filters of incremental runs: the rows an incremental run rebuilds (int_reopened_decisions,
    int_reopened_days). Without `since_load_id` (macros/incremental_run.sql) every row re-opens. Models calling these carry
    `-- depends_on:` comments for both models, because the refs here render only in incremental runs,
    after dbt has read the graph. -#}
{% macro is_reopened_decision(decision_id_column) %}
    {%- if incremental_since() is none %}true{% else -%}
    {{ decision_id_column }} in (select decision_id from {{ ref('int_reopened_decisions') }})
    {%- endif %}
{% endmacro %}

{% macro is_reopened_item(item_id_column) %}
    {%- if incremental_since() is none %}true{% else -%}
    {{ item_id_column }} in (select item_id from {{ ref('int_reopened_decisions') }})
    {%- endif %}
{% endmacro %}

{% macro is_reopened_day(date_column) %}
    {%- if incremental_since() is none %}true{% else -%}
    {{ date_column }} in (select decision_date from {{ ref('int_reopened_days') }})
    {%- endif %}
{% endmacro %}
