{#- Running sum X_t of a CUSUM's increments per `partition_by` in `order_by` order: the input of
    macro lindley_cusum. -#}
{% macro lindley_running_sum(increment, partition_by, order_by) %}
    sum({{ increment }}) over (partition by {{ partition_by }} order by {{ order_by }}
                               rows between unbounded preceding and current row)
{% endmacro %}
