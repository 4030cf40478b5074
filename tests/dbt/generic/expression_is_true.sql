{#- Fails every row where a boolean SQL expression is not true (false or NULL: write the expression
    so that NULL is a violation). To check only some rows, use dbt's standard `where` test config
    (config: {where: "..."}), which filters the model before this query runs. -#}
{% test expression_is_true(model, expression) %}
    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)
{% endtest %}
