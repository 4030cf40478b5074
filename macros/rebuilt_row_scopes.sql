{#- What an incremental build rebuilt selectively, derived from the graph: one scope per model whose config
    declares `meta.reopened_by` (macros/reopened_by_kinds.sql), with the column its rows are re-opened by
    (for `delivery`, the model's unique_key). A new incremental model is listed by its config alone.
    Published by model int_rebuilt_rows for the publish gate (expectations/scope.py). Every value is checked
    whenever it runs, and an incremental model without one is an error: the engines whose incremental
    models are full tables (Spark) materialize them as tables, so there only the values are checked.
    Empty in a full build, on those engines, and at parse time. -#}
{% macro rebuilt_row_scopes() -%}
    {%- if not execute %}{{ return([]) }}{% endif -%}
    {%- set kinds = reopened_by_kinds() -%}
    {%- set scopes = [] -%}
    {%- for node in graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
                                         | selectattr('package_name', 'equalto', project_name) -%}
        {%- set reopened_by = (node.config.get('meta') or {}).get('reopened_by') -%}
        {%- if reopened_by is not none or node.config.materialized == 'incremental' -%}
            {%- do checked_reopened_by(reopened_by, node.name) -%}
            {%- do scopes.append({'model': node.name, 'relation': node.schema ~ '.' ~ node.alias,
                                  'reopened_by': reopened_by,
                                  'key': kinds[reopened_by] or (node.config.unique_key
                                                                if reopened_by == 'delivery' else none)}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if incremental_since() is none or incremental_materialization() != 'incremental' -%}
        {{ return([]) }}
    {%- endif -%}
    {{ return(scopes | sort(attribute='model')) }}
{%- endmacro %}
