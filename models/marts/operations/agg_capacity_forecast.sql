{%- set training_days = var('forecast_training_days') -%}
{%- set horizon_days = var('forecast_horizon_days') -%}
{%- set fte_seconds = 'cast(' ~ var('productive_seconds_per_fte_day') ~ ' as double)' -%}
{%- set occupancy = 'cast(' ~ var('target_occupancy') ~ ' as double)' -%}
-- Inflow forecast per queue for the forecast_horizon_days days after the last day of
-- agg_capacity_daily (the origin), the FTE it needs against the rostered FTE, and the backlog and
-- SLA risk that follow. Method, exactly:
--   * Training window: the forecast_training_days days ending at the origin (fewer if the data is
--     shorter), day index t = days after the origin (0 at the origin, negative before it).
--   * Model: inflow = α_weekday + β · t, fitted by least squares per queue (ISO weekday fixed effects
--     and one common linear trend). Closed form: β = Σ_w Σ (t − t̄_w)(y − ȳ_w) / Σ_w Σ (t − t̄_w)²
--     over weekdays w; forecast(d) = max(0, ȳ_w(d) + β (t_d − t̄_w(d))). β = 0 when it is undefined
--     (every weekday seen once). With 28 days that is the 4-week weekday mean, shifted along the trend.
--   * Required FTE = forecast inflow × AHT / (productive_seconds_per_fte_day × target_occupancy), the
--     agg_capacity_daily formula, with AHT = Σ handle_seconds / Σ decisions over the training window.
--   * Rostered FTE (total level: shifts are not per queue) = the mean, over the training window's
--     days of the same ISO weekday, of Σ productive minutes of moderator shifts / (productive seconds
--     per FTE day / 60); days without shifts count as 0.
--   * Per queue the rostered FTE is allocated pro rata to required FTE, so every queue's daily
--     capacity = forecast inflow × coverage, coverage = rostered / required (total level).
--   * Projected backlog: B_d = max(0, B_{d−1} + inflow_d − capacity_d) from the origin's backlog
--     (Lindley's recursion, closed form with a running minimum of the cumulative net inflow).
--   * SLA risk: projected wait = B_d / capacity_d days (Little's law), at risk when it exceeds the
--     queue's sla_minutes (or capacity is 0 with a backlog); the total row is at risk when any queue is.
with capacity as (
    select date_day, queue_id, inflow, decisions, handle_seconds, backlog_end_of_day
    from {{ ref('agg_capacity_daily') }}
),

origin as (
    select max(date_day) as origin_date from capacity
),

training as (
    select
        capacity.*,
        cast({{ dbt.datediff('origin.origin_date', 'capacity.date_day', 'day') }} as double) as day_index,
        {{ iso_day_of_week('capacity.date_day') }} as iso_day_of_week
    from capacity
    cross join origin
    where capacity.date_day > cast({{ dbt.dateadd('day', '-' ~ training_days, 'origin.origin_date') }} as date)
),

weekday_means as (
    select
        queue_id,
        iso_day_of_week,
        count(*) as weekday_days,
        avg(day_index) as mean_day_index,
        avg(cast(inflow as double)) as mean_inflow
    from training
    group by queue_id, iso_day_of_week
),

trend_sums as (
    select
        training.queue_id,
        sum((training.day_index - weekday_means.mean_day_index)
            * (cast(training.inflow as double) - weekday_means.mean_inflow)) as sum_cross_deviations,
        sum((training.day_index - weekday_means.mean_day_index)
            * (training.day_index - weekday_means.mean_day_index)) as sum_squared_deviations
    from training
    inner join weekday_means
        on training.queue_id = weekday_means.queue_id
        and training.iso_day_of_week = weekday_means.iso_day_of_week
    group by training.queue_id
),

queue_parameters as (
    select
        queue_id,
        count(*) as training_days,
        sum(handle_seconds) as training_handle_seconds,
        sum(decisions) as training_decisions
    from training
    group by queue_id
),

trends as (
    select
        queue_parameters.queue_id,
        queue_parameters.training_days,
        coalesce({{ safe_divide('trend_sums.sum_cross_deviations', 'trend_sums.sum_squared_deviations') }},
                 cast(0 as double)) as trend_slope_per_day,
        {{ safe_divide('queue_parameters.training_handle_seconds', 'queue_parameters.training_decisions') }}
            as average_handle_seconds
    from queue_parameters
    inner join trend_sums on queue_parameters.queue_id = trend_sums.queue_id
),

training_dates as (
    select distinct date_day, iso_day_of_week from training
),

shift_days as (
    select shift_date, sum(productive_minutes) as productive_minutes
    from {{ ref('fct_shifts') }}
    where role = 'moderator'
    group by shift_date
),

rostered_history as (
    select
        training_dates.iso_day_of_week,
        cast(coalesce(shift_days.productive_minutes, 0) as double) * 60 / {{ fte_seconds }} as rostered_fte
    from training_dates
    left join shift_days on training_dates.date_day = shift_days.shift_date
),

rostered_by_weekday as (
    select iso_day_of_week, avg(rostered_fte) as rostered_fte
    from rostered_history
    group by iso_day_of_week
),

forecast_days as (
    {{ date_series(dbt.dateadd('day', 1, '(select origin_date from origin)'),
                   dbt.dateadd('day', horizon_days, '(select origin_date from origin)')) }}
),

queue_forecasts as (
    select
        forecast_days.date_day as forecast_date,
        trends.queue_id,
        origin.origin_date,
        cast({{ dbt.datediff('origin.origin_date', 'forecast_days.date_day', 'day') }} as bigint) as horizon_day,
        {{ iso_day_of_week('forecast_days.date_day') }} as iso_day_of_week,
        trends.training_days,
        trends.trend_slope_per_day,
        trends.average_handle_seconds,
        weekday_means.mean_inflow as weekday_mean_inflow,
        greatest(cast(0 as double),
                 weekday_means.mean_inflow + trends.trend_slope_per_day
                     * (cast({{ dbt.datediff('origin.origin_date', 'forecast_days.date_day', 'day') }} as double)
                        - weekday_means.mean_day_index)) as forecast_inflow
    from forecast_days
    cross join origin
    cross join trends
    inner join weekday_means
        on trends.queue_id = weekday_means.queue_id
        and {{ iso_day_of_week('forecast_days.date_day') }} = weekday_means.iso_day_of_week
),

queue_requirements as (
    select
        queue_forecasts.*,
        forecast_inflow * coalesce(average_handle_seconds, 0) / ({{ fte_seconds }} * {{ occupancy }}) as required_fte
    from queue_forecasts
),

daily_totals as (
    select
        queue_requirements.forecast_date,
        sum(queue_requirements.required_fte) as total_required_fte,
        max(rostered_by_weekday.rostered_fte) as total_rostered_fte
    from queue_requirements
    left join rostered_by_weekday on queue_requirements.iso_day_of_week = rostered_by_weekday.iso_day_of_week
    group by queue_requirements.forecast_date
),

queue_capacity as (
    select
        queue_requirements.*,
        coalesce(daily_totals.total_rostered_fte, 0) * {{ safe_divide('queue_requirements.required_fte',
                                                                      'daily_totals.total_required_fte') }}
            as rostered_fte,
        {{ safe_divide('coalesce(daily_totals.total_rostered_fte, 0)', 'daily_totals.total_required_fte') }}
            as coverage_ratio
    from queue_requirements
    inner join daily_totals on queue_requirements.forecast_date = daily_totals.forecast_date
),

queue_flows as (
    select
        queue_capacity.*,
        -- no work needed (AHT 0, e.g. a fully automated queue) means nothing limits throughput
        case when coverage_ratio is null then forecast_inflow
             else forecast_inflow * coverage_ratio end as projected_capacity
    from queue_capacity
),

queue_cumulative as (
    select
        queue_flows.*,
        sum(forecast_inflow - projected_capacity) over (
            partition by queue_id order by forecast_date rows between unbounded preceding and current row
        ) as cumulative_net_inflow
    from queue_flows
),

queue_backlogs as (
    select
        queue_cumulative.*,
        min(queue_cumulative.cumulative_net_inflow) over (
            partition by queue_cumulative.queue_id order by queue_cumulative.forecast_date
            rows between unbounded preceding and current row
        ) as lowest_cumulative_net_inflow,
        cast(coalesce(capacity.backlog_end_of_day, 0) as double) as origin_backlog
    from queue_cumulative
    left join capacity
        on queue_cumulative.queue_id = capacity.queue_id and queue_cumulative.origin_date = capacity.date_day
),

queues as (
    select queue_id, sla_minutes from {{ ref('stg_reference__queues') }}
),

queue_rows as (
    select
        queue_backlogs.forecast_date,
        'queue' as scope_type,
        queue_backlogs.queue_id,
        queue_backlogs.origin_date,
        queue_backlogs.horizon_day,
        queue_backlogs.iso_day_of_week,
        queue_backlogs.training_days,
        queue_backlogs.weekday_mean_inflow,
        queue_backlogs.trend_slope_per_day,
        queue_backlogs.forecast_inflow,
        queue_backlogs.average_handle_seconds,
        queue_backlogs.required_fte,
        queue_backlogs.rostered_fte,
        queue_backlogs.coverage_ratio,
        queue_backlogs.projected_capacity,
        queue_backlogs.origin_backlog,
        -- B_d = S_d − min(−B_0, min_{k ≤ d} S_k), S the cumulative net inflow
        queue_backlogs.cumulative_net_inflow
            - least(-queue_backlogs.origin_backlog, queue_backlogs.lowest_cumulative_net_inflow)
            as projected_backlog,
        queues.sla_minutes
    from queue_backlogs
    inner join queues on queue_backlogs.queue_id = queues.queue_id
),

queue_risk as (
    select
        queue_rows.*,
        case when projected_capacity > 0 then projected_backlog / projected_capacity * 1440 end
            as projected_wait_minutes,
        case when projected_capacity > 0 then projected_backlog / projected_capacity * 1440 > sla_minutes
             else projected_backlog > 0 end as is_sla_at_risk
    from queue_rows
),

total_rows as (
    select
        queue_risk.forecast_date,
        'total' as scope_type,
        'all' as queue_id,
        max(queue_risk.origin_date) as origin_date,
        max(queue_risk.horizon_day) as horizon_day,
        max(queue_risk.iso_day_of_week) as iso_day_of_week,
        max(queue_risk.training_days) as training_days,
        sum(queue_risk.weekday_mean_inflow) as weekday_mean_inflow,
        sum(queue_risk.trend_slope_per_day) as trend_slope_per_day,
        sum(queue_risk.forecast_inflow) as forecast_inflow,
        {{ safe_divide('sum(queue_risk.forecast_inflow * queue_risk.average_handle_seconds)',
                       'sum(queue_risk.forecast_inflow)') }} as average_handle_seconds,
        sum(queue_risk.required_fte) as required_fte,
        max(daily_totals.total_rostered_fte) as rostered_fte,
        max(queue_risk.coverage_ratio) as coverage_ratio,
        sum(queue_risk.projected_capacity) as projected_capacity,
        sum(queue_risk.origin_backlog) as origin_backlog,
        sum(queue_risk.projected_backlog) as projected_backlog,
        cast(null as bigint) as sla_minutes,
        cast(null as double) as projected_wait_minutes,
        max(case when queue_risk.is_sla_at_risk then 1 else 0 end) = 1 as is_sla_at_risk
    from queue_risk
    inner join daily_totals on queue_risk.forecast_date = daily_totals.forecast_date
    group by queue_risk.forecast_date
),

combined as (
    select * from queue_risk
    union all
    select * from total_rows
),

final as (
    select
        forecast_date,
        scope_type,
        queue_id,
        origin_date,
        horizon_day,
        iso_day_of_week,
        cast(training_days as bigint) as training_days,
        cast(weekday_mean_inflow as double) as weekday_mean_inflow,
        cast(trend_slope_per_day as double) as trend_slope_per_day,
        cast(forecast_inflow as double) as forecast_inflow,
        cast(average_handle_seconds as double) as average_handle_seconds,
        cast(required_fte as double) as required_fte,
        cast(rostered_fte as double) as rostered_fte,
        cast(coverage_ratio as double) as coverage_ratio,
        coalesce(rostered_fte < required_fte, false) as is_understaffed,
        cast(projected_capacity as double) as projected_capacity,
        cast(origin_backlog as double) as origin_backlog,
        cast(projected_backlog as double) as projected_backlog,
        cast(sla_minutes as bigint) as sla_minutes,
        cast(projected_wait_minutes as double) as projected_wait_minutes,
        is_sla_at_risk
    from combined
)

select * from final
