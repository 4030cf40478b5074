{#- A relation with one row per day from start_date to end_date inclusive, column date_day. -#}
{% macro date_series(start_date, end_date) %}
    {{ return(adapter.dispatch('date_series', 'modqa')(start_date, end_date)) }}
{% endmacro %}

{% macro default__date_series(start_date, end_date) %}
    select cast(generated.date_day as date) as date_day
    from (
        select unnest(generate_series(
            cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp), interval 1 day
        )) as date_day
    ) as generated
{% endmacro %}

{% macro spark__date_series(start_date, end_date) %}
    select explode(sequence(cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day))
        as date_day
{% endmacro %}
