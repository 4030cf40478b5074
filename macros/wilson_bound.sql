{#- Wilson score interval bound for a proportion p on n trials (DESIGN §4), clamped to [0, 1]
    against rounding. With weights, pass the weighted rate and the Kish effective sample size.
    NULL when n is empty or zero, never 0. -#}
{% macro wilson_bound(p, n, side) %}
    {%- set z = var('confidence_z') -%}
    {%- set sign = '-' if side == 'low' else '+' -%}
    case
        when ({{ n }}) is null or ({{ n }}) <= 0 or ({{ p }}) is null then null
        else greatest(0.0, least(1.0,
            (
                ({{ p }}) + {{ z }} * {{ z }} / (2.0 * ({{ n }}))
                {{ sign }} {{ z }} * sqrt(
                    ({{ p }}) * (1.0 - ({{ p }})) / ({{ n }})
                    + {{ z }} * {{ z }} / (4.0 * ({{ n }}) * ({{ n }}))
                )
            ) / (1.0 + {{ z }} * {{ z }} / ({{ n }}))
        ))
    end
{% endmacro %}
