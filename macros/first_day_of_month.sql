{#- The first day of the month of a date or timestamp, as a DATE on every engine. -#}
{% macro first_day_of_month(expression) %}
    cast({{ dbt.date_trunc('month', 'cast(' ~ expression ~ ' as date)') }} as date)
{% endmacro %}
