{#- Cochran's sample size for estimating a proportion p to within ± half_width at the project's
    confidence (z = var confidence_z): n0 = z² p (1 − p) / e². Doubles throughout. -#}
{% macro cochran_sample_size(p, half_width) %}
    {%- set z = 'cast(' ~ var('confidence_z') ~ ' as double)' -%}
    ({{ z }} * {{ z }} * cast({{ p }} as double) * (1 - cast({{ p }} as double))
        / (cast({{ half_width }} as double) * cast({{ half_width }} as double)))
{% endmacro %}
