{#- The CUSUM S_t = max(0, S_{t−1} + W_t), S_0 = 0, as window functions instead of a recursion: with
    X_t the running sum of the increments (column `running_sum_column`, macro lindley_running_sum),
    S_t = X_t − min(0, min_{j≤t} X_j), the Lindley recursion's closed form, which DuckDB and Spark
    both compute. -#}
{% macro lindley_cusum(running_sum_column, partition_by, order_by) %}
    {{ running_sum_column }} - least(cast(0 as double),
        min({{ running_sum_column }}) over (partition by {{ partition_by }} order by {{ order_by }}
                                            rows between unbounded preceding and current row))
{% endmacro %}
