{#- Elapsed minutes between two timestamps, with seconds as a fraction (dbt.datediff truncates). -#}
{% macro minutes_between(start_at, end_at) %}
    {{ return(adapter.dispatch('minutes_between', 'modqa')(start_at, end_at)) }}
{% endmacro %}

{% macro default__minutes_between(start_at, end_at) %}
    (cast(epoch({{ end_at }}) as double) - cast(epoch({{ start_at }}) as double)) / 60.0
{% endmacro %}

{% macro spark__minutes_between(start_at, end_at) %}
    cast(unix_micros({{ end_at }}) - unix_micros({{ start_at }}) as double) / 60000000.0
{% endmacro %}
