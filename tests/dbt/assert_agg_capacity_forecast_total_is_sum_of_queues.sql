-- The total rows add up the queue rows (inflow, required and allocated rostered FTE, backlog).
with queues as (
    select
        forecast_date,
        sum(forecast_inflow) as forecast_inflow,
        sum(required_fte) as required_fte,
        sum(rostered_fte) as rostered_fte,
        sum(projected_backlog) as projected_backlog
    from {{ ref('agg_capacity_forecast') }}
    where scope_type = 'queue'
    group by forecast_date
),

totals as (
    select forecast_date, forecast_inflow, required_fte, rostered_fte, projected_backlog
    from {{ ref('agg_capacity_forecast') }}
    where scope_type = 'total'
)

select totals.forecast_date
from totals
left join queues on totals.forecast_date = queues.forecast_date
where queues.forecast_date is null
    or abs(totals.forecast_inflow - queues.forecast_inflow) > 1e-9 * greatest(1, totals.forecast_inflow)
    or abs(totals.required_fte - queues.required_fte) > 1e-9 * greatest(1, totals.required_fte)
    or (totals.required_fte > 0
        and abs(totals.rostered_fte - queues.rostered_fte) > 1e-9 * greatest(1, totals.rostered_fte))
    or abs(totals.projected_backlog - queues.projected_backlog) > 1e-9 * greatest(1, totals.projected_backlog)
