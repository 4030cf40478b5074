{#- Fails every row where a boolean SQL expression is not true (false or NULL: write the expression
    so that NULL is a violation). Usable on a model or a column (the column only says where the test
    is listed; the expression names its columns itself). To check only some rows, use dbt's standard
    `where` test config (config: {where: "..."}), which filters the model before this query runs. -#}
{% test expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)
{% endtest %}
