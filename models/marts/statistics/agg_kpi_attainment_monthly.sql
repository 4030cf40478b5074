-- KPI attainment per month, KPI and scope (DESIGN §4 Targets): every KPI value of
-- int_kpi_values_monthly, next to its monthly target and stretch when kpi_targets sets one, and every
-- target in every month of the data even when its scope had no data that month.
--   status: `insufficient_sample` when there is no value or its sample size (Kish n_eff for weighted
--   rates, n for SLA and turnaround) is below var min_effective_sample_size (counts such as the
--   backlog have none and are always judged); else `stretch_met` when the value reaches the stretch,
--   `met` when it reaches the target (reaching = ≥ for higher_is_better, ≤ for lower_is_better; the
--   boundary counts), `missed` otherwise; `no_target` for KPI values no target names.
--   is_significant_miss: a miss whose whole interval lies on the wrong side of the target
--   (ci_upper < target when higher is better, ci_lower > target when lower is better).
with kpi_values as (
    select * from {{ ref('int_kpi_values_monthly') }}
),

targets as (
    select * from {{ ref('stg_reference__kpi_targets') }}
    where period = 'monthly'
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
        kpi_values.numerator,
        kpi_values.denominator,
        kpi_values.sum_squared_weights,
        kpi_values.sum_squared_values
    from kpi_values
    full outer join targeted
        on kpi_values.month_start_date = targeted.month_start_date
        and kpi_values.metric = targeted.metric
        and kpi_values.scope_type = targeted.scope_type
        and kpi_values.scope_value = targeted.scope_value
),

judged as (
    select
        joined.*,
        case
            when kpi_target_id is null then 'no_target'
            when value is null then 'insufficient_sample'
            when interval_method <> 'exact_count'
                 and (effective_sample_size is null
                      or effective_sample_size < cast({{ var('min_effective_sample_size') }} as double))
                then 'insufficient_sample'
            when direction = 'higher_is_better' and value >= stretch then 'stretch_met'
            when direction = 'higher_is_better' and value >= target then 'met'
            when direction = 'lower_is_better' and value <= stretch then 'stretch_met'
            when direction = 'lower_is_better' and value <= target then 'met'
            else 'missed'
        end as status
    from joined
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
        numerator,
        denominator,
        sum_squared_weights,
        sum_squared_values,
        status,
        coalesce(status = 'missed' and (
            (direction = 'higher_is_better' and ci_upper < target)
            or (direction = 'lower_is_better' and ci_lower > target)
        ), false) as is_significant_miss
    from judged
)

select * from final
