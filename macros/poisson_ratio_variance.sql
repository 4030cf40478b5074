{#- Taylor-linearised variance of a weighted proportion R̂ = Σ_num w / Σ_den w under Poisson sampling
    (DESIGN §4), where the numerator class is part of the denominator classes (y ∈ {0, 1} within the
    domain x = 1) and every unit's inclusion probability is π = 1/w:
        v̂(R̂) = Σ_s (1 − π_k) w_k² e_k² / X̂²,  e_k = y_k − R̂,  X̂ = Σ_den w
    (Särndal, Swensson & Wretman 1992, §5.6 with the Poisson design's π_kl = π_k π_l). With e constant
    within a class, (1 − π) w² = w² − w turns the sum into additive parts only:
        v̂ = [(Σ_num w² − Σ_num w)(1 − R̂)² + (Σ_rest w² − Σ_rest w) R̂²] / X̂²,  rest = den − num.
    Arguments are Σw and Σw² of the numerator class and of the whole denominator. Floored at 0
    against rounding; NULL when the denominator is empty. -#}
{% macro poisson_ratio_variance(numerator_w, numerator_w2, denominator_w, denominator_w2) %}
    {%- set num_w = 'cast(' ~ numerator_w ~ ' as double)' -%}
    {%- set num_w2 = 'cast(' ~ numerator_w2 ~ ' as double)' -%}
    {%- set den_w = 'cast(' ~ denominator_w ~ ' as double)' -%}
    {%- set den_w2 = 'cast(' ~ denominator_w2 ~ ' as double)' -%}
    {%- set ratio = '(' ~ num_w ~ ' / ' ~ den_w ~ ')' -%}
    case when ({{ denominator_w }}) is null or ({{ denominator_w }}) <= 0 then null
         else greatest(cast(0 as double), (
                  ({{ num_w2 }} - {{ num_w }}) * (1 - {{ ratio }}) * (1 - {{ ratio }})
                  + (({{ den_w2 }} - {{ num_w2 }}) - ({{ den_w }} - {{ num_w }})) * {{ ratio }} * {{ ratio }}
              ) / ({{ den_w }} * {{ den_w }})) end
{% endmacro %}
