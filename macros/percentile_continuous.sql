{#- Percentile with linear interpolation (numpy's default; DESIGN §4 SLA percentiles). -#}
{% macro percentile_continuous(expression, fraction) %}
    {{ return(adapter.dispatch('percentile_continuous', 'modqa')(expression, fraction)) }}
{% endmacro %}

{% macro default__percentile_continuous(expression, fraction) %}
    quantile_cont({{ expression }}, {{ fraction }})
{% endmacro %}

{#- Spark's exact `percentile` interpolates linearly, like quantile_cont (percentile_approx does not). -#}
{% macro spark__percentile_continuous(expression, fraction) %}
    percentile({{ expression }}, {{ fraction }})
{% endmacro %}
