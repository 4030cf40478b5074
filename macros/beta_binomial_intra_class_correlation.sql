{#- Method-of-moments intra-class correlation ρ of a beta-binomial over a group's k units (Kleinman
    1973), from the group's sums: Σn (trials), Σx (successes), Σn², Σx²/n and the prior mean p̄
    (macro beta_binomial_prior_mean):
        S = Σ n_i (x_i/n_i − p̄)² = Σx²/n − 2 p̄ Σx + p̄² Σn,
        ρ = (S / (p̄(1 − p̄)) − (k − 1)) / (Σn − Σn²/Σn).
    NULL for a single unit or when every trial is one unit's (no spread to measure). -#}
{% macro beta_binomial_intra_class_correlation(units, trials, successes, squared_trials,
                                                squared_successes_per_trial, prior_mean) %}
    case when ({{ units }}) > 1 and ({{ trials }}) - ({{ squared_trials }}) / ({{ trials }}) > 0 then
        (({{ squared_successes_per_trial }} - 2 * ({{ prior_mean }}) * ({{ successes }})
          + ({{ prior_mean }}) * ({{ prior_mean }}) * ({{ trials }}))
         / (({{ prior_mean }}) * (1 - ({{ prior_mean }}))) - (({{ units }}) - 1))
        / (({{ trials }}) - ({{ squared_trials }}) / ({{ trials }}))
    end
{% endmacro %}
