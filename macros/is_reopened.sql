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

{#- Pre-hook of the models keyed by a re-opened decision or day: an incremental run first deletes every
    stored row it re-opens. delete+insert alone deletes only the keys the rebuild returns rows for, so a
    key left with none (an audit corrected onto another decision, a day whose decisions all moved away)
    would keep its old rows. -#}
{% macro delete_reopened_rows(condition) %}
    {%- if is_incremental() %}delete from {{ this }} where {{ condition }}{% endif %}
{% endmacro %}
