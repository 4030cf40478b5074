{#- Bound of the normal-approximation confidence interval of a mean, mean ± z · s / √n (z = var
    confidence_z, s the sample standard deviation), floored at `floor` (e.g. 0 for durations).
    NULL with fewer than two observations. -#}
{% macro normal_mean_bound(mean, standard_deviation, n, side, floor=none) %}
    {%- set z = 'cast(' ~ var('confidence_z') ~ ' as double)' -%}
    {%- set sign = '-' if side == 'low' else '+' -%}
    {%- set bound = 'cast(' ~ mean ~ ' as double) ' ~ sign ~ ' ' ~ z ~ ' * cast(' ~ standard_deviation
                    ~ ' as double) / sqrt(cast(' ~ n ~ ' as double))' -%}
    case when ({{ n }}) is null or ({{ n }}) < 2 or ({{ standard_deviation }}) is null then null
         else {% if floor is not none %}greatest(cast({{ floor }} as double), {{ bound }}){% else %}{{ bound }}{% endif %}
    end
{% endmacro %}
