{#- The first day of the `period` (day, week or month) holding a date or timestamp, as a DATE on every
    engine: the period a day-, week- or month-grain model stores a date under. -#}
{% macro period_start(period, expression) %}
    {%- if period == 'week' -%}{{ first_day_of_week(expression) }}
    {%- elif period == 'month' -%}{{ first_day_of_month(expression) }}
    {%- else -%}cast({{ expression }} as date)
    {%- endif -%}
{% endmacro %}
