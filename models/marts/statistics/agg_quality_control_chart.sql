{%- set baseline_days = var('control_chart_baseline_days') -%}
{%- set run_length = var('control_chart_run_length') -%}
{%- set sigma_multiple = 'cast(' ~ var('control_chart_sigma_multiple') ~ ' as double)' -%}
-- p-chart of the daily verdict error rate (FP + FN among in-sample decisions, unweighted: the chart
-- watches the audited process, not a population estimate) per vendor and per queue. For each day
-- with in-sample decisions (a point):
--   centre line p̄ = Σ errors / Σ in-sample over the control_chart_baseline_days calendar days before
--   the day (the day itself excluded); NULL without in-sample decisions in that window.
--   σ_i = sqrt(p̄ (1 − p̄) / n_i) with n_i the day's in-sample decisions; limits p̄ ± k σ_i
--   (k = control_chart_sigma_multiple), the lower floored at 0 and the upper capped at 1.
--   Out of control: rate > upper limit or rate < lower limit (strictly).
--   Run rule: the point and the control_chart_run_length − 1 points before it (consecutive points
--   of the chart that have a centre line) all lie strictly on the same side of their centre lines;
--   a point on its centre line breaks the run.
with daily as (
    select
        decision_date,
        vendor_id,
        queue_id,
        in_sample,
        false_positives + false_negatives as errors
    from {{ ref('agg_quality_daily') }}
),

scoped as (
    select 'vendor' as chart_scope_type, vendor_id as scope_value, decision_date, in_sample, errors from daily
    union all
    select 'queue' as chart_scope_type, queue_id as scope_value, decision_date, in_sample, errors from daily
),

points as (
    select
        chart_scope_type,
        scope_value,
        decision_date,
        sum(in_sample) as in_sample,
        sum(errors) as errors
    from scoped
    group by chart_scope_type, scope_value, decision_date
    having sum(in_sample) > 0
),

baselines as (
    select
        points.chart_scope_type,
        points.scope_value,
        points.decision_date,
        points.in_sample,
        points.errors,
        count(history.decision_date) as baseline_points,
        coalesce(sum(history.in_sample), 0) as baseline_in_sample,
        coalesce(sum(history.errors), 0) as baseline_errors
    from points
    left join points as history
        on points.chart_scope_type = history.chart_scope_type
        and points.scope_value = history.scope_value
        and history.decision_date < points.decision_date
        and history.decision_date >= cast({{ dbt.dateadd('day', '-' ~ baseline_days, 'points.decision_date') }} as date)
    group by
        points.chart_scope_type,
        points.scope_value,
        points.decision_date,
        points.in_sample,
        points.errors
),

limits as (
    select
        baselines.*,
        cast(errors as double) / cast(in_sample as double) as error_rate,
        {{ safe_divide('baseline_errors', 'baseline_in_sample') }} as centre_line
    from baselines
),

sigmas as (
    select
        limits.*,
        sqrt(centre_line * (1 - centre_line) / cast(in_sample as double)) as sigma
    from limits
),

sides as (
    select
        sigmas.*,
        -- least / greatest skip NULLs on both engines: guard the days without a centre line
        case when centre_line is not null
             then least(cast(1 as double), centre_line + {{ sigma_multiple }} * sigma) end as upper_control_limit,
        case when centre_line is not null
             then greatest(cast(0 as double), centre_line - {{ sigma_multiple }} * sigma) end as lower_control_limit,
        case when centre_line is null then null
             when error_rate > centre_line then 1
             when error_rate < centre_line then -1
             else 0 end as side_of_centre
    from sigmas
),

runs as (
    select
        chart_scope_type,
        scope_value,
        decision_date,
        sum(case when side_of_centre = 1 then 1 else 0 end) over run_window as points_above_in_run_window,
        sum(case when side_of_centre = -1 then 1 else 0 end) over run_window as points_below_in_run_window
    from sides
    where side_of_centre is not null
    window run_window as (
        partition by chart_scope_type, scope_value
        order by decision_date
        rows between {{ run_length - 1 }} preceding and current row
    )
),

final as (
    select
        sides.chart_scope_type,
        sides.scope_value,
        sides.decision_date,
        cast(sides.in_sample as bigint) as in_sample,
        cast(sides.errors as bigint) as errors,
        sides.error_rate,
        cast(sides.baseline_points as bigint) as baseline_points,
        cast(sides.baseline_in_sample as bigint) as baseline_in_sample,
        cast(sides.baseline_errors as bigint) as baseline_errors,
        sides.centre_line,
        sides.sigma,
        sides.upper_control_limit,
        sides.lower_control_limit,
        cast(sides.side_of_centre as bigint) as side_of_centre,
        coalesce(sides.error_rate > sides.upper_control_limit, false) as is_above_upper_limit,
        coalesce(sides.error_rate < sides.lower_control_limit, false) as is_below_lower_limit,
        coalesce(runs.points_above_in_run_window = {{ run_length }}, false) as is_run_above_centre,
        coalesce(runs.points_below_in_run_window = {{ run_length }}, false) as is_run_below_centre,
        coalesce(sides.error_rate > sides.upper_control_limit or sides.error_rate < sides.lower_control_limit
                 or runs.points_above_in_run_window = {{ run_length }}
                 or runs.points_below_in_run_window = {{ run_length }}, false) as is_out_of_control
    from sides
    left join runs
        on sides.chart_scope_type = runs.chart_scope_type
        and sides.scope_value = runs.scope_value
        and sides.decision_date = runs.decision_date
)

select * from final
