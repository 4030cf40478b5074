{#- What a data test reads from the model it tests: dbt's own version (the test's `where` config), plus one
    placeholder. A test whose `where` contains `__rebuilt_rows__` reads, in an incremental build, only the
    rows that build rebuilt (rebuilt_rows_condition); in a full build, on Spark and at parse time the
    placeholder is `true`. Every other row is unchanged since the previous build, whose tests passed, so
    re-testing it costs time that grows with the history and proves nothing new. The placeholder is put,
    in the models' yml, only on checks a rebuilt row can break by itself: row-level tests (not_null,
    accepted_values, relationships from the model, expression_is_true, rate_within_interval) and
    uniqueness of the column the model's rows are re-opened by (every stored row of a re-opened value is
    rebuilt, so a duplicate can only be among the rebuilt rows; staging relies on its strategy
    replacing every stored row of a re-delivered key). A test without it reads the whole model.
    dbt documents this pattern: a custom get_where_subquery expanding a placeholder in `where`. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where and '__rebuilt_rows__' in where -%}
        {%- set where = where | replace('__rebuilt_rows__', '(' ~ rebuilt_rows_condition(relation) ~ ')') -%}
        {%- if where == '(true)' %}{% do return(relation) %}{% endif -%}
    {%- endif -%}
    {%- if where -%}
        {% do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') %}
    {%- else -%}
        {% do return(relation) %}
    {%- endif -%}
{%- endmacro %}
