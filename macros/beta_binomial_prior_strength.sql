{#- The prior strength M = α + β = (1 − ρ) / ρ of an empirical-Bayes beta-binomial prior from its
    intra-class correlation ρ (macro beta_binomial_intra_class_correlation), within
    [1, shrinkage_max_prior_strength]: ρ unknown or ≤ 0 (no spread beyond chance) shrinks every unit to
    the group; ρ ≥ 1/2 (possible in tiny samples, even above 1) gives a prior worth one trial. -#}
{% macro beta_binomial_prior_strength(intra_class_correlation) %}
    {%- set max_strength = 'cast(' ~ var('shrinkage_max_prior_strength') ~ ' as double)' -%}
    case when ({{ intra_class_correlation }}) is null
              or ({{ intra_class_correlation }}) <= 1 / (1 + {{ max_strength }}) then {{ max_strength }}
         when ({{ intra_class_correlation }}) >= 0.5 then cast(1 as double)
         else least({{ max_strength }}, (1 - ({{ intra_class_correlation }})) / ({{ intra_class_correlation }}))
    end
{% endmacro %}
