{#- SQL functions in the published warehouse (schema marts) for formulas a ratio of sums cannot state:
    marts.wilson_lower_bound(p, n), marts.wilson_upper_bound(p, n) and marts.effective_sample_size(sum_w,
    sum_w2). Their bodies are rendered from the macros wilson_bound and effective_sample_size, the one
    definition the marts use too, so the semantic layer's interval metrics (models/semantic/) and
    analysts' SQL call the same formula instead of writing it again. Run at the end of every build
    (on-run-end). DuckDB only: Spark keeps the macros inline in the marts, and MetricFlow reads DuckDB. -#}
{% macro create_metric_functions() %}
    {% if execute %}
        {% do adapter.dispatch('create_metric_functions', 'modqa')() %}
    {% endif %}
    select 1
{% endmacro %}

{% macro default__create_metric_functions() %}
{% endmacro %}

{% macro duckdb__create_metric_functions() %}
    {%- set schema = generate_schema_name('marts', none) -%}
    {% do run_query('create schema if not exists ' ~ schema) %}
    {% for side in ('lower', 'upper') %}
        {% do run_query('create or replace macro ' ~ schema ~ '.wilson_' ~ side ~ '_bound(p, n) as '
                        ~ wilson_bound('p', 'n', 'low' if side == 'lower' else 'high')) %}
    {% endfor %}
    {% do run_query('create or replace macro ' ~ schema ~ '.effective_sample_size(sum_w, sum_w2) as '
                    ~ effective_sample_size('sum_w', 'sum_w2')) %}
{% endmacro %}
