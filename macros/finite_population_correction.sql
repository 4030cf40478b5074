{#- Finite-population correction of a sample size n0 for a population of N units:
    n = n0 / (1 + (n0 − 1) / N). NULL when N is missing or not positive. -#}
{% macro finite_population_correction(n0, population) %}
    case when ({{ population }}) is null or ({{ population }}) <= 0 then null
         else cast({{ n0 }} as double)
              / (1 + (cast({{ n0 }} as double) - 1) / cast({{ population }} as double)) end
{% endmacro %}
