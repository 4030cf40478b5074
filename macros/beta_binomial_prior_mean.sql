{#- The prior mean p̄ of an empirical-Bayes beta-binomial prior from a group's totals: Σx / Σn with
    Jeffreys' half success and half failure added, so a group with all successes (or none) keeps a
    prior strictly inside (0, 1). -#}
{% macro beta_binomial_prior_mean(successes, trials) %}
    (cast({{ successes }} as double) + 0.5) / (cast({{ trials }} as double) + 1)
{% endmacro %}
