{#- Percentile with linear interpolation (numpy's default; DESIGN §4 SLA percentiles). -#}
{% macro percentile_continuous(expression, fraction) %}
    {{ return(adapter.dispatch('percentile_continuous', 'modqa')(expression, fraction)) }}
{% endmacro %}

{% macro default__percentile_continuous(expression, fraction) %}
    quantile_cont({{ expression }}, {{ fraction }})
{% endmacro %}
