{#- The SQL condition selecting the rows of the tested model that this build rebuilt (the `__rebuilt_rows__`
    placeholder of a test's `where`, macros/get_where_subquery.sql), from the model's own `reopened_by`
    (macros/reopened_rows.sql). `true` unless the model was built incrementally on top of a previous build.
    A row with a null re-opening column is always in scope: a filter on the column alone would hide it. -#}
{% macro rebuilt_rows_condition(relation) -%}
    {%- if not execute or incremental_since() is none %}{{ return('true') }}{% endif -%}
    {%- set node = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
                   | selectattr('schema', 'equalto', relation.schema)
                   | selectattr('alias', 'equalto', relation.identifier) | first -%}
    {%- set reopened_by = (node.config.get('meta') or {}).get('reopened_by') if node else none -%}
    {%- if reopened_by is none -%}
        {{ exceptions.raise_compiler_error(
            "test " ~ model.name ~ ": where __rebuilt_rows__ is for models that declare meta.reopened_by, and "
            ~ relation ~ " does not; remove the placeholder or declare what re-opens the model's rows") }}
    {%- endif -%}
    {%- if node.config.materialized != 'incremental' %}{{ return('true') }}{% endif -%}
    {%- set column = reopened_by_kinds()[checked_reopened_by(reopened_by, node.name)] -%}
    {%- set condition = reopened_rows(reopened_by, node.name, node.config.meta.get('reopened_on_day')) -%}
    {{ return(column ~ ' is null or (' ~ condition ~ ')' if column else condition) }}
{%- endmacro %}
