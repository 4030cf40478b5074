{#- The Monday (ISO week start) of the week of a date or timestamp, as a DATE on every engine. -#}
{% macro first_day_of_week(expression) %}
    cast({{ dbt.date_trunc('week', 'cast(' ~ expression ~ ' as date)') }} as date)
{% endmacro %}
