-- KPI attainment per month, KPI and scope (DESIGN §4 Targets): every KPI value of
-- int_kpi_values_monthly, next to its monthly target and stretch when kpi_targets sets one, and every
-- target in every month of the data even when its scope had no data that month (moderator-scope
-- targets are judged per moderator in agg_moderator_accuracy_monthly, not here).
--   Suppression: a weighted rate whose design-based effective sample size n* is below var
--   min_effective_sample_size is published as NULL (value and interval) with is_suppressed.
--   status, judged on the 95 % interval, never on the point estimate alone:
--     `no_target` without a target; `insufficient_sample` when there is no value (or it is
--     suppressed), n* is below min_effective_sample_size, or the interval is wider than
--     2 × |target − stretch| (too wide to tell target from stretch); otherwise
--     `stretch_met` / `met` when the whole interval is on the good side of the stretch / target
--     (ci_lower ≥ it when higher is better, ci_upper ≤ it when lower is better), `missed` when the
--     whole interval is on the bad side of the target (ci_upper < target, ci_lower > target), and
--     `inconclusive` when the interval straddles the target. The backlog is an exact count
--     (interval = value, no sample size), so its verdict is the plain comparison.
--   is_significant_miss: = status `missed` (kept for BI that reads it; a miss is now always
--   significant).
--   is_complete_period: the month's last day is mature (macro mature_through_date): the month has
--   ended and its audits are in. Otherwise every figure of the month is provisional.
with kpi_values as (
    select * from {{ ref('int_kpi_values_monthly') }}
),

targets as (
    select * from {{ ref('stg_reference__kpi_targets') }}
    where period = 'monthly' and scope_type <> 'moderator'
),

months as (
    select distinct month_start_date from kpi_values
),

targeted as (
    select
        months.month_start_date,
        targets.metric,
        targets.scope_type,
        targets.scope_value,
        targets.kpi_target_id,
        targets.direction,
        targets.target,
        targets.stretch
    from targets
    cross join months
),

joined as (
    select
        coalesce(kpi_values.month_start_date, targeted.month_start_date) as month_start_date,
        coalesce(kpi_values.metric, targeted.metric) as metric,
        coalesce(kpi_values.scope_type, targeted.scope_type) as scope_type,
        coalesce(kpi_values.scope_value, targeted.scope_value) as scope_value,
        targeted.kpi_target_id,
        targeted.direction,
        cast(targeted.target as double) as target,
        cast(targeted.stretch as double) as stretch,
        kpi_values.value,
        kpi_values.ci_lower,
        kpi_values.ci_upper,
        kpi_values.interval_method,
        kpi_values.sample_size,
        kpi_values.effective_sample_size,
        kpi_values.design_effective_sample_size,
        kpi_values.numerator,
        kpi_values.numerator_sum_squared_weights,
        kpi_values.denominator,
        kpi_values.sum_squared_weights,
        kpi_values.sum_squared_values,
        coalesce(kpi_values.interval_method = 'wilson_weighted' and kpi_values.value is not null
                 and kpi_values.design_effective_sample_size
                     < cast({{ var('min_effective_sample_size') }} as double), false) as is_suppressed
    from kpi_values
    full outer join targeted
        on kpi_values.month_start_date = targeted.month_start_date
        and kpi_values.metric = targeted.metric
        and kpi_values.scope_type = targeted.scope_type
        and kpi_values.scope_value = targeted.scope_value
),

suppressed as (
    select
        month_start_date,
        metric,
        scope_type,
        scope_value,
        kpi_target_id,
        direction,
        target,
        stretch,
        case when is_suppressed then null else value end as value,
        case when is_suppressed then null else ci_lower end as ci_lower,
        case when is_suppressed then null else ci_upper end as ci_upper,
        interval_method,
        sample_size,
        effective_sample_size,
        design_effective_sample_size,
        numerator,
        numerator_sum_squared_weights,
        denominator,
        sum_squared_weights,
        sum_squared_values,
        is_suppressed
    from joined
),

judged as (
    select
        suppressed.*,
        case
            when kpi_target_id is null then 'no_target'
            when value is null then 'insufficient_sample'
            when interval_method <> 'exact_count'
                 and (design_effective_sample_size is null
                      or design_effective_sample_size < cast({{ var('min_effective_sample_size') }} as double)
                      or ci_lower is null or ci_upper is null
                      or ci_upper - ci_lower > 2 * abs(target - stretch))
                then 'insufficient_sample'
            when direction = 'higher_is_better' and ci_lower >= stretch then 'stretch_met'
            when direction = 'higher_is_better' and ci_lower >= target then 'met'
            when direction = 'higher_is_better' and ci_upper < target then 'missed'
            when direction = 'lower_is_better' and ci_upper <= stretch then 'stretch_met'
            when direction = 'lower_is_better' and ci_upper <= target then 'met'
            when direction = 'lower_is_better' and ci_lower > target then 'missed'
            else 'inconclusive'
        end as status,
        coalesce(
            cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'month_start_date')) }} as date)
                <= {{ mature_through_date() }},
            false) as is_complete_period
    from suppressed
),

final as (
    select
        month_start_date,
        metric,
        scope_type,
        scope_value,
        kpi_target_id,
        direction,
        target,
        stretch,
        value,
        ci_lower,
        ci_upper,
        interval_method,
        sample_size,
        effective_sample_size,
        design_effective_sample_size,
        numerator,
        numerator_sum_squared_weights,
        denominator,
        sum_squared_weights,
        sum_squared_values,
        is_suppressed,
        is_complete_period,
        status,
        status = 'missed' as is_significant_miss
    from judged
)

select * from final
