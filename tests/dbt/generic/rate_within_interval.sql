{#- A rate must lie inside its confidence interval: fails rows where the rate is set and either
    bound is missing, or where low <= rate <= high does not hold (1e-12 tolerance for rounding). -#}
{% test rate_within_interval(model, rate, low, high) %}
    select {{ rate }} as rate_value, {{ low }} as low_value, {{ high }} as high_value
    from {{ model }}
    where {{ rate }} is not null
        and (
            {{ low }} is null
            or {{ high }} is null
            or {{ low }} > {{ rate }} + 1e-12
            or {{ rate }} > {{ high }} + 1e-12
        )
{% endtest %}
