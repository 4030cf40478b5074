{#- What a data test reads from the model it tests. dbt's own version applies the test's `where` config;
    this one also narrows the tests of the large incremental models, in an incremental build, to the rows
    that build rebuilt. Every other row is unchanged since the previous build, whose tests passed, so
    re-testing it costs time that grows with the history and proves nothing new. Only checks a
    rebuilt row can break by itself are narrowed: row-level tests (not_null, accepted_values,
    relationships from this model, expression_is_true) and `unique` on the model's incremental key
    (delete+insert and replace_reopened replace every stored row of a rebuilt key, so a duplicate can
    only be among the rebuilt rows). Any other test (e.g. uniqueness of another column) keeps reading
    the whole model. The models and their rebuilt rows: macros/rebuilt_rows.sql. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- if config.get('where') %}{% do conditions.append(config.get('where')) %}{% endif -%}
    {%- set rebuilt = rebuilt_rows_condition(relation) -%}
    {%- if rebuilt %}{% do conditions.append(rebuilt) %}{% endif -%}
    {%- if conditions -%}
        {#- parenthesised only when joined: a lone `where` reaches the engine exactly as written -#}
        {%- set where = conditions[0] if conditions | length == 1 else '(' ~ conditions | join(') and (') ~ ')' -%}
        {% do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') %}
    {%- else -%}
        {% do return(relation) %}
    {%- endif -%}
{%- endmacro %}

{% macro rebuilt_rows_condition(relation) -%}
    {%- set scope = rebuilt_row_scopes() | selectattr('model', 'equalto', relation.identifier) | first -%}
    {%- set test = model.get('test_metadata') or {} -%}
    {%- set row_level = ['not_null', 'accepted_values', 'relationships', 'expression_is_true'] -%}
    {%- if scope and (test.get('name') in row_level
                      or (test.get('name') == 'unique' and test.get('kwargs', {}).get('column_name') == scope.key)) -%}
        {{ return(scope.condition) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}
