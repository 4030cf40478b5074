{#- Upper quantile of Student's t with `degrees_of_freedom` at the project's confidence, from its normal
    quantile z (var confidence_z) by the Cornish–Fisher expansion in 1/ν (Abramowitz & Stegun 26.7.5,
    four terms). Neither DuckDB nor Spark has a t quantile; this closed form is the same on both.
    Against scipy.stats.t.ppf (tests/test_decision_grade.py): relative error below 1.2e-3 for ν ≥ 3,
    1.1e-4 for ν ≥ 5, 4e-6 for ν ≥ 10 and 2e-8 for ν ≥ 29; it understates t for ν = 1 and 2 (11.3 and
    4.27 instead of 12.7 and 4.30), which only touches samples of two or three units. NULL for ν < 1. -#}
{% macro student_t_quantile(degrees_of_freedom) %}
    {%- set x = 'cast(' ~ var('confidence_z') ~ ' as double)' -%}
    {%- set nu = 'cast(' ~ degrees_of_freedom ~ ' as double)' -%}
    case when ({{ degrees_of_freedom }}) is null or ({{ degrees_of_freedom }}) < 1 then null
         else {{ x }}
              + (power({{ x }}, 3) + {{ x }}) / 4 / {{ nu }}
              + (5 * power({{ x }}, 5) + 16 * power({{ x }}, 3) + 3 * {{ x }}) / 96 / power({{ nu }}, 2)
              + (3 * power({{ x }}, 7) + 19 * power({{ x }}, 5) + 17 * power({{ x }}, 3) - 15 * {{ x }})
                / 384 / power({{ nu }}, 3)
              + (79 * power({{ x }}, 9) + 776 * power({{ x }}, 7) + 1482 * power({{ x }}, 5)
                 - 1920 * power({{ x }}, 3) - 945 * {{ x }}) / 92160 / power({{ nu }}, 4)
    end
{% endmacro %}
