{#- In an incremental run, true for the rows of days the run re-opens (int_rebuild_window); the
    models that call this carry `-- depends_on: {{ ref('int_rebuild_window') }}` because the ref
    here is only rendered in incremental runs, after dbt has read the graph. -#}
{% macro is_reopened(date_column) %}
    {{ date_column }} >= (select rebuild_from_date from {{ ref('int_rebuild_window') }})
{% endmacro %}
