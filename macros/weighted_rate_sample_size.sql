{#- The design-based effective sample size n* of a weighted proportion Σ_num w / Σ_den w (DESIGN §4):
    Korn–Graubard on the Poisson-sampling linearised variance, with df = n − 1 where n is the count of
    sampled units in the denominator. Wilson on (p̂_w, this) is the interval of every weighted rate. -#}
{% macro weighted_rate_sample_size(numerator_w, numerator_w2, denominator_w, denominator_w2, n) %}
    {{ design_effective_sample_size(
        safe_divide(numerator_w, denominator_w),
        poisson_ratio_variance(numerator_w, numerator_w2, denominator_w, denominator_w2),
        n) }}
{% endmacro %}
