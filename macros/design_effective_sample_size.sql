{#- Korn–Graubard (1998) effective sample size of an estimated proportion p̂ with design-based
    variance v̂ from a sample of n units: n* = p̂(1 − p̂) / v̂, capped at n (and n itself when v̂ = 0,
    i.e. p̂ ∈ {0, 1} or a census), then scaled by the degrees-of-freedom adjustment (z / t_df)² with
    df = n − 1: the sample is one stratum of n independently drawn units (Poisson sampling, no
    clusters), so its variance estimate has n − 1 degrees of freedom; the adjustment widens intervals
    where that estimate is itself unstable. For clustered samples pass the number of clusters as
    `units` (df = clusters − 1). Wilson on this size is the design-based interval (DESIGN §4).
    NULL when p̂ is NULL; 0 with fewer than two units (no variance estimate: Wilson then spans [0, 1]). -#}
{% macro design_effective_sample_size(p, variance, n, units=none) %}
    {%- set units = units if units is not none else n -%}
    {%- set z = 'cast(' ~ var('confidence_z') ~ ' as double)' -%}
    {%- set t = student_t_quantile('(' ~ units ~ ') - 1') -%}
    case when ({{ p }}) is null or ({{ n }}) is null then null
         when ({{ units }}) < 2 then cast(0 as double)
         else (case when ({{ variance }}) is null or ({{ variance }}) <= 0 then cast({{ n }} as double)
                    else least(cast({{ n }} as double),
                               cast({{ p }} as double) * (1 - cast({{ p }} as double)) / cast({{ variance }} as double))
               end) * ({{ z }} / ({{ t }})) * ({{ z }} / ({{ t }}))
    end
{% endmacro %}
