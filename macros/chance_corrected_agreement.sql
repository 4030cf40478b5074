{#- Kappa-type chance-corrected agreement (Cohen's and Fleiss' κ): (P_o − P_e) / (1 − P_e).
    NULL when chance agreement is 1 (every label in one category: κ is undefined, not 0 or 1). -#}
{% macro chance_corrected_agreement(observed, expected) %}
    case when ({{ expected }}) is null or ({{ observed }}) is null or ({{ expected }}) >= 1 then null
         else (cast({{ observed }} as double) - cast({{ expected }} as double))
              / (1 - cast({{ expected }} as double)) end
{% endmacro %}
