{#- ISO day of week: 1 = Monday … 7 = Sunday. -#}
{% macro iso_day_of_week(date_expression) %}
    {{ return(adapter.dispatch('iso_day_of_week', 'modqa')(date_expression)) }}
{% endmacro %}

{% macro default__iso_day_of_week(date_expression) %}
    cast(isodow({{ date_expression }}) as bigint)
{% endmacro %}

{% macro spark__iso_day_of_week(date_expression) %}
    cast(weekday({{ date_expression }}) + 1 as bigint)
{% endmacro %}
