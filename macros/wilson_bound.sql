{#- Wilson score interval bound for a proportion p on n trials (DESIGN §4), clamped to [0, 1]
    against rounding. With weights, pass the weighted rate and its design-based effective sample size
    (macro weighted_rate_sample_size). NULL when p or n is NULL; [0, 1] when a rate exists but its
    effective size is 0 (a single sampled unit: no variance estimate, so no information). Every operand is a double: a decimal literal would make
    Spark compute in fixed-point decimals and round differently from DuckDB. -#}
{% macro wilson_bound(p, n, side) %}
    {%- set z = 'cast(' ~ var('confidence_z') ~ ' as double)' -%}
    {%- set p_ = 'cast(' ~ p ~ ' as double)' -%}
    {%- set n_ = 'cast(' ~ n ~ ' as double)' -%}
    {%- set sign = '-' if side == 'low' else '+' -%}
    case
        when ({{ n }}) is null or ({{ p }}) is null then null
        when ({{ n }}) <= 0 then cast({{ 0 if side == 'low' else 1 }} as double)
        else greatest(cast(0 as double), least(cast(1 as double),
            (
                {{ p_ }} + {{ z }} * {{ z }} / (2 * {{ n_ }})
                {{ sign }} {{ z }} * sqrt(
                    {{ p_ }} * (1 - {{ p_ }}) / {{ n_ }}
                    + {{ z }} * {{ z }} / (4 * {{ n_ }} * {{ n_ }})
                )
            ) / (1 + {{ z }} * {{ z }} / {{ n_ }})
        ))
    end
{% endmacro %}
