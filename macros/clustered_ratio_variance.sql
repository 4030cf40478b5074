{#- Taylor-linearised variance of a ratio R̂ = Σy / Σx over a sample of clusters drawn with
    replacement (each cluster one primary unit, e.g. a calibration item with several raters' labels):
    v̂ = K / (K − 1) · Σ_i (y_i − R̂ x_i)² / (Σx)², K clusters, expanded into sums a query keeps:
    Σ y_i² − 2 R̂ Σ x_i y_i + R̂² Σ x_i² (samplics TaylorEstimator with psu = cluster). NULL with fewer
    than two clusters. -#}
{% macro clustered_ratio_variance(sum_y, sum_x, sum_y2, sum_xy, sum_x2, clusters) %}
    {%- set ratio = '(cast(' ~ sum_y ~ ' as double) / cast(' ~ sum_x ~ ' as double))' -%}
    case when ({{ clusters }}) is null or ({{ clusters }}) < 2 or ({{ sum_x }}) is null or ({{ sum_x }}) = 0 then null
         else greatest(cast(0 as double),
                  cast({{ clusters }} as double) / (cast({{ clusters }} as double) - 1)
                  * (cast({{ sum_y2 }} as double) - 2 * {{ ratio }} * cast({{ sum_xy }} as double)
                     + {{ ratio }} * {{ ratio }} * cast({{ sum_x2 }} as double))
                  / (cast({{ sum_x }} as double) * cast({{ sum_x }} as double))) end
{% endmacro %}
