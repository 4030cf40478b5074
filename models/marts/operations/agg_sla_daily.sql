{{ config(**incremental_config('day', ['decision_date', 'queue_id', 'market'])) }}
-- depends_on: {{ ref('int_reopened_decisions') }}, {{ ref('int_reopened_days') }}
-- Incremental: the re-opened days (int_reopened_days) are replaced whole (strategy replace_reopened: a merge
-- would keep the rows of groups that vanished from a day).
-- Time to first decision per first-decision day, queue and market (DESIGN §4 SLA).
with first_decided as (
    select * from {{ ref('int_items_first_decided') }}
    where first_decided_at is not null
    {%- if is_incremental() %}
        and {{ is_reopened_day('first_decision_date') }}
    {%- endif %}
),

final as (
    select
        first_decision_date as decision_date,
        queue_id,
        market,
        cast(count(*) as bigint) as first_decisions,
        cast(sum(case when is_within_sla then 1 else 0 end) as bigint) as within_sla,
        {{ safe_divide('sum(case when is_within_sla then 1 else 0 end)', 'count(*)') }} as sla_attainment,
        {{ wilson_bound(safe_divide('sum(case when is_within_sla then 1 else 0 end)', 'count(*)'),
                        'count(*)', 'low') }} as sla_attainment_ci_low,
        {{ wilson_bound(safe_divide('sum(case when is_within_sla then 1 else 0 end)', 'count(*)'),
                        'count(*)', 'high') }} as sla_attainment_ci_high,
        cast(sum(time_to_decision_minutes) as double) as sum_time_to_decision_minutes,
        cast(avg(time_to_decision_minutes) as double) as mean_time_to_decision_minutes,
        cast({{ percentile_continuous('time_to_decision_minutes', 0.5) }} as double) as p50_time_to_decision_minutes,
        cast({{ percentile_continuous('time_to_decision_minutes', 0.9) }} as double) as p90_time_to_decision_minutes,
        cast({{ percentile_continuous('time_to_decision_minutes', 0.95) }} as double) as p95_time_to_decision_minutes,
        cast(max(time_to_decision_minutes) as double) as max_time_to_decision_minutes
    from first_decided
    group by first_decision_date, queue_id, market
)

select * from final
