{{ config(**incremental_config('week', ['week_start_date', 'queue_id'])) }}
-- depends_on: {{ ref('int_reopened_days') }}
-- Incremental: the weeks holding a re-opened day are replaced whole (a week's percentiles need all its days).
-- Time to first decision per ISO week × queue, against the queue's SLA: the SLA panel of the monthly
-- business review (`modqa report`). Percentiles cannot be re-aggregated from agg_sla_daily, so they are
-- computed here over the week's first decisions (linear interpolation, as agg_sla_daily).
with first_decided as (
    select * from {{ ref('int_items_first_decided') }}
    where first_decided_at is not null
    {%- if is_incremental() %}
        and {{ is_reopened_period('week', 'first_decision_date') }}
    {%- endif %}
),

weekly as (
    select
        {{ first_day_of_week('first_decision_date') }} as week_start_date,
        queue_id,
        max(sla_minutes) as sla_minutes,
        count(distinct first_decision_date) as days_with_decisions,
        count(*) as first_decisions,
        sum(case when is_within_sla then 1 else 0 end) as within_sla,
        {{ percentile_continuous('time_to_decision_minutes', 0.5) }} as p50_time_to_decision_minutes,
        {{ percentile_continuous('time_to_decision_minutes', 0.9) }} as p90_time_to_decision_minutes
    from first_decided
    group by {{ first_day_of_week('first_decision_date') }}, queue_id
),

final as (
    select
        week_start_date,
        queue_id,
        cast(sla_minutes as double) as sla_minutes,
        cast(days_with_decisions as bigint) as days_with_decisions,
        cast(first_decisions as bigint) as first_decisions,
        cast(within_sla as bigint) as within_sla,
        {{ safe_divide('within_sla', 'first_decisions') }} as sla_attainment,
        {{ wilson_bound(safe_divide('within_sla', 'first_decisions'), 'first_decisions', 'low') }}
            as sla_attainment_ci_low,
        {{ wilson_bound(safe_divide('within_sla', 'first_decisions'), 'first_decisions', 'high') }}
            as sla_attainment_ci_high,
        cast(p50_time_to_decision_minutes as double) as p50_time_to_decision_minutes,
        cast(p90_time_to_decision_minutes as double) as p90_time_to_decision_minutes
    from weekly
)

select * from final
