{#- Kish effective sample size of a weighted sample: (Σw)² / Σw². -#}
{% macro effective_sample_size(sum_w, sum_w2) %}
    {{ safe_divide('(' ~ sum_w ~ ') * (' ~ sum_w ~ ')', sum_w2) }}
{% endmacro %}
