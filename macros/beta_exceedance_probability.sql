{#- A query giving, for each row of `relation` (identified by `keys`), P(φ > threshold) for
    φ ~ Beta(alpha, beta), as `exceedance_probability` (NULL where the threshold is NULL). No engine
    has the incomplete beta function, so it is integrated numerically: the density in u = φ^s,
    s = min(alpha, 1) (which removes the singularity at 0 when alpha < 1), over [0, φ_max^s] with
    φ_max = min(1, (alpha + 10√alpha + 40) / (alpha + beta)) (the mass beyond is below e⁻⁴⁰), split at
    threshold^s, each panel by the midpoint rule with posterior_integration_points points (within 2e-5
    of scipy.stats.beta.sf for beta ≥ 1). `alpha`, `beta` and `threshold` are expressions over the
    relation's columns. -#}
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

    panels as (
        select
            integration_ranges.*,
            least(integration_ranges.threshold_u, integration_ranges.upper_u) as cut_u,
            panel_numbers.panel
        from integration_ranges
        cross join (select 1 as panel union all select 2 as panel) as panel_numbers
    ),

    grid as (
        select
            {{ key_list }},
            a,
            b,
            s,
            panel,
            case when panel = 1 then cut_u else upper_u - cut_u end / {{ points }} as step,
            case when panel = 1 then cast(0 as double) else cut_u end as panel_start
        from panels
    ),

    -- Per row, the largest log density of its points: the densities are scaled by it before exp, which
    -- would under- or overflow for large alpha and beta.
    max_log_densities as (
        select {{ key_list }}, max(log_density) as max_log_density
        from ({{ beta_panel_points('grid', points) }}) as log_densities
        group by {{ key_list }}
    ),

    scaled_grid as (
        select grid.*, max_log_densities.max_log_density
        from grid
        inner join max_log_densities
            on {% for key in keys %}grid.{{ key }} = max_log_densities.{{ key }}{% if not loop.last %} and {% endif %}{% endfor %}
    )

    select
        {{ key_list }},
        sum(case when panel = 2 and step > 0 then exp(log_density - max_log_density) * step else 0 end)
            / sum(case when step > 0 then exp(log_density - max_log_density) * step else 0 end)
            as exceedance_probability
    from ({{ beta_panel_points('scaled_grid', points) }}) as scaled_densities
    group by {{ key_list }}
{% endmacro %}

{#- Each panel row of `grid` expanded into its `points` midpoints, with the log density there. Expanded
    twice by beta_exceedance_probability (for the maximum, then for the sums) rather than stored once:
    the expansion is cheap, while a window putting the maximum beside every point partitions all of them. -#}
{% macro beta_panel_points(grid, points) %}
    select
        expanded.*,
        case when step > 0 then
            ((b - s) / s) * ln(panel_start + (point - 0.5) * step)
            + (a - 1) * ln(1 - power(panel_start + (point - 0.5) * step, 1 / s))
        end as log_density
    from (select {{ grid }}.*, {{ expand_integer_range(1, points) }} as point from {{ grid }}) as expanded
{% endmacro %}
