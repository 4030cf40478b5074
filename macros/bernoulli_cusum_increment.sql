{#- Log-likelihood ratio of a day's `events` among `trials` for a Bernoulli CUSUM that tests the
    reference rate p0 against the rate whose odds are `odds_ratio` times higher (Steiner, Cook, Farewell
    & Treasure 2000): W = events · ln r − trials · ln(1 − p0 + r · p0). Summed over days with the
    Lindley recursion S_t = max(0, S_{t−1} + W_t) (macro lindley_cusum). Under p0, E[exp(W)] = 1. -#}
{% macro bernoulli_cusum_increment(events, trials, reference_rate, odds_ratio) %}
    (cast({{ events }} as double) * ln(cast({{ odds_ratio }} as double))
     - cast({{ trials }} as double)
       * ln(1 - cast({{ reference_rate }} as double) + cast({{ odds_ratio }} as double) * cast({{ reference_rate }} as double)))
{% endmacro %}
