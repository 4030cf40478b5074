{#- A query giving, for each row of `relation` (identified by `keys`), P(φ > threshold) for
    φ ~ Beta(alpha, beta), as `exceedance_probability` (NULL where the threshold is NULL). No engine
    has the incomplete beta function, so it is integrated numerically: the density in u = φ^s,
    s = min(alpha, 1) (which removes the singularity at 0 when alpha < 1), over [0, φ_max^s] with
    φ_max = min(1, (alpha + 10√alpha + 40) / (alpha + beta)) (the mass beyond is below e⁻⁴⁰), split at
    threshold^s, each panel by the midpoint rule with posterior_integration_points points (within 2e-5
    of scipy.stats.beta.sf for beta ≥ 1 while the density spans several of its panel's steps; a posterior
    far narrower than its panel, thousands of pseudo-counts with the threshold well below the mode, is
    coarser, within 2e-4). `alpha`, `beta` and `threshold` are expressions over the relation's columns. -#}
{% macro beta_exceedance_probability(relation, keys, alpha, beta, threshold) %}
    {%- set points = var('posterior_integration_points') -%}
    {%- set key_list = keys | join(', ') -%}
    with integration_ranges as (
        select
            {{ key_list }},
            cast({{ beta }} as double) as a,
            cast({{ alpha }} as double) as b,
            least(cast(1 as double), cast({{ alpha }} as double)) as s,
            power(least(cast(1 as double), (cast({{ alpha }} as double) + 10 * sqrt(cast({{ alpha }} as double)) + 40)
                                            / (cast({{ alpha }} as double) + cast({{ beta }} as double))),
                  least(cast(1 as double), cast({{ alpha }} as double))) as upper_u,
            power(cast({{ threshold }} as double), least(cast(1 as double), cast({{ alpha }} as double))) as threshold_u
        from {{ relation }}
        where ({{ threshold }}) is not null
    ),

    -- The panels' outermost midpoints (lowest_u, highest_u), and where the log density peaks between
    -- them: in φ it is (b − s) ln φ + (a − 1) ln(1 − φ), which rises to its mode (b − s) / (b − s + a − 1)
    -- and falls after it when a > 1, and only rises when a ≤ 1.
    bounded_ranges as (
        select
            cut_ranges.*,
            case when cut_u > 0 then cut_u / (2 * {{ points }})
                 else cut_u + (upper_u - cut_u) / (2 * {{ points }}) end as lowest_u,
            case when upper_u > cut_u then upper_u - (upper_u - cut_u) / (2 * {{ points }})
                 else cut_u - cut_u / (2 * {{ points }}) end as highest_u,
            case when a > 1 then (b - s) / (b - s + a - 1) else cast(1 as double) end as mode_phi
        from (select integration_ranges.*, least(threshold_u, upper_u) as cut_u from integration_ranges) as cut_ranges
    ),

    -- The densities are scaled by their largest value on the grid's span before exp, which would under-
    -- or overflow for large alpha and beta: the log density at the mode, or at the span's end nearest it.
    scaled_ranges as (
        select
            peaks.*,
            {{ beta_log_density('peak_u') }} as max_log_density
        from (select bounded_ranges.*, least(greatest(power(mode_phi, s), lowest_u), highest_u) as peak_u
              from bounded_ranges) as peaks
    ),

    grid as (
        select
            {{ key_list }},
            a,
            b,
            s,
            max_log_density,
            panel,
            case when panel = 1 then cut_u else upper_u - cut_u end / {{ points }} as step,
            case when panel = 1 then cast(0 as double) else cut_u end as panel_start
        from scaled_ranges
        cross join (select 1 as panel union all select 2 as panel) as panel_numbers
    )

    select
        {{ key_list }},
        sum(case when panel = 2 and step > 0 then exp(log_density - max_log_density) * step else 0 end)
            / sum(case when step > 0 then exp(log_density - max_log_density) * step else 0 end)
            as exceedance_probability
    from ({{ beta_panel_points('grid', points) }}) as scaled_densities
    group by {{ key_list }}
{% endmacro %}

{#- Each panel row of `grid` expanded into its `points` midpoints, with the log density there. -#}
{% macro beta_panel_points(grid, points) %}
    select
        expanded.*,
        case when step > 0 then {{ beta_log_density('panel_start + (point - 0.5) * step') }} end as log_density
    from (select {{ grid }}.*, {{ expand_integer_range(1, points) }} as point from {{ grid }}) as expanded
{% endmacro %}

{#- The log density of Beta(b, a) in u = φ^s at `u` (columns a, b, s), up to a constant. -#}
{% macro beta_log_density(u) -%}
    ((b - s) / s) * ln({{ u }}) + (a - 1) * ln(1 - power({{ u }}, 1 / s))
{%- endmacro %}
