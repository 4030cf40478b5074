{#- What an incremental build rebuilt selectively, derived from the graph: one scope per model built
    incrementally (config from macros/incremental_config.sql), with what re-opens its rows and the column
    they are re-opened by (for `delivery`, the model's unique_key when that is one column). A new
    incremental model is listed by its config alone. Published by model int_rebuilt_rows for the publish
    gate (expectations/scope.py). Every declared value is checked whenever it runs, and an incremental
    model without one is an error; a model an engine builds as a table (Spark: the kinds re-opened by key)
    rebuilt every row and is not listed. Empty in a full build and at parse time. -#}
{% macro rebuilt_row_scopes() -%}
    {%- if not execute %}{{ return([]) }}{% endif -%}
    {%- set kinds = reopened_by_kinds() -%}
    {%- set scopes = [] -%}
    {%- for node in graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
                                         | selectattr('package_name', 'equalto', project_name) -%}
        {%- set reopened_by = (node.config.get('meta') or {}).get('reopened_by') -%}
        {%- if reopened_by is not none or node.config.materialized == 'incremental' -%}
            {%- do checked_reopened_by(reopened_by, node.name) -%}
        {%- endif -%}
        {%- if node.config.materialized == 'incremental' -%}
            {%- do scopes.append({'model': node.name, 'relation': node.schema ~ '.' ~ node.alias,
                                  'reopened_by': reopened_by,
                                  'on_day': (node.config.get('meta') or {}).get('reopened_on_day'),
                                  'key': kinds[reopened_by] or (node.config.unique_key
                                                                if reopened_by == 'delivery'
                                                                and node.config.unique_key is string else none)}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if incremental_since() is none -%}
        {{ return([]) }}
    {%- endif -%}
    {{ return(scopes | sort(attribute='model')) }}
{%- endmacro %}
