{#- A select-list expression that expands its row into one row per integer lower..upper (inclusive),
    the integer as the expression's value: DuckDB unnests a generated list, Spark explodes a sequence.
    No rows when upper < lower. -#}
{% macro expand_integer_range(lower, upper) %}
    {{ return(adapter.dispatch('expand_integer_range', 'modqa')(lower, upper)) }}
{% endmacro %}

{% macro default__expand_integer_range(lower, upper) %}
    unnest(generate_series(cast({{ lower }} as bigint), cast({{ upper }} as bigint)))
{% endmacro %}

{% macro spark__expand_integer_range(lower, upper) %}
    explode(sequence(cast({{ lower }} as bigint), cast({{ upper }} as bigint)))
{% endmacro %}
