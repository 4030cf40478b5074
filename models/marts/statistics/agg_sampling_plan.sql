-- Audit sampling plan per plan day and stratum (vendor × queue × market): how many of the day's
-- decisions to audit so each stratum's error rate is estimated to ± sampling_target_half_width
-- (95 %), capped by the day's audit budget. The rule, step by step:
--   1. N = the stratum's decisions on the plan day (the population to sample from).
--   2. p = the Wilson upper bound of the stratum's weighted error rate (FP + FN) over the trailing
--      sampling_lookback_days days before the plan day, on (p̂_w, Kish n_eff), capped at 0.5;
--      0.5 when the stratum has no random audit in the window. A higher recent error rate and fewer
--      recent audits (a wider interval) both raise p, and p(1 − p) grows with p up to 0.5.
--   3. Cochran n0 = z² p (1 − p) / e²; finite-population correction n = n0 / (1 + (n0 − 1) / N).
--   4. If Σ n over the day's strata exceeds the budget B, every n is scaled by B / Σ n (the budget
--      is a cap; unused budget is not spread); planned_audits = n × min(1, B / Σ n).
--   5. sampling_rate = planned_audits / N: the inclusion probability of each decision in the
--      stratum for hash-based Poisson sampling (orchestration/sampling.py draws the sample).
with daily as (
    select
        decision_date,
        vendor_id,
        queue_id,
        market,
        decisions,
        in_sample,
        sum_w,
        sum_w2,
        weighted_false_positives + weighted_false_negatives as weighted_errors
    from {{ ref('agg_quality_daily') }}
),

windowed as (
    -- The lookback as a window over each stratum's days, numbered so that a range frame counts days (a
    -- day without a row is simply absent): the days [plan day − lookback, plan day − 1].
    select
        daily.*,
        sum(in_sample) over lookback_days as history_in_sample,
        sum(sum_w) over lookback_days as history_sum_w,
        sum(sum_w2) over lookback_days as history_sum_w2,
        sum(weighted_errors) over lookback_days as history_weighted_errors
    from daily
    window lookback_days as (
        partition by vendor_id, queue_id, market
        order by {{ dbt.datediff("cast('1970-01-01' as date)", 'decision_date', 'day') }}
        range between {{ var('sampling_lookback_days') }} preceding and 1 preceding
    )
),

lookback as (
    select
        decision_date as plan_date,
        vendor_id,
        queue_id,
        market,
        decisions as population_decisions,
        cast(coalesce(history_in_sample, 0) as bigint) as lookback_in_sample,
        cast(coalesce(history_sum_w, 0) as double) as lookback_sum_w,
        cast(coalesce(history_sum_w2, 0) as double) as lookback_sum_w2,
        cast(coalesce(history_weighted_errors, 0) as double) as lookback_weighted_errors
    from windowed
    where decisions > 0
),

error_rates as (
    select
        lookback.*,
        {{ safe_divide('lookback_weighted_errors', 'lookback_sum_w') }} as lookback_weighted_error_rate,
        {{ effective_sample_size('lookback_sum_w', 'lookback_sum_w2') }} as lookback_effective_sample_size
    from lookback
),

planning_rates as (
    select
        error_rates.*,
        case when lookback_in_sample = 0 then cast(0.5 as double)
             else least(cast(0.5 as double),
                        {{ wilson_bound('lookback_weighted_error_rate', 'lookback_effective_sample_size', 'high') }})
        end as planning_error_rate
    from error_rates
),

required as (
    select
        planning_rates.*,
        {{ cochran_sample_size('planning_error_rate', var('sampling_target_half_width')) }} as cochran_sample_size
    from planning_rates
),

corrected as (
    select
        required.*,
        {{ finite_population_correction('cochran_sample_size', 'population_decisions') }} as required_audits
    from required
),

budgeted as (
    select
        corrected.*,
        sum(required_audits) over (partition by plan_date) as total_required_audits
    from corrected
),

final as (
    select
        plan_date,
        vendor_id || '|' || queue_id || '|' || market as stratum_id,
        vendor_id,
        queue_id,
        market,
        cast(population_decisions as bigint) as population_decisions,
        lookback_in_sample,
        lookback_sum_w,
        lookback_sum_w2,
        lookback_weighted_errors,
        lookback_effective_sample_size,
        lookback_weighted_error_rate,
        cast(planning_error_rate as double) as planning_error_rate,
        cast({{ var('sampling_target_half_width') }} as double) as target_half_width,
        cast(cochran_sample_size as double) as cochran_sample_size,
        cast(required_audits as double) as required_audits,
        cast({{ var('sampling_daily_audit_budget') }} as double) as daily_audit_budget,
        cast(total_required_audits as double) as total_required_audits,
        least(cast(1 as double),
              cast({{ var('sampling_daily_audit_budget') }} as double) / total_required_audits) as budget_scale,
        required_audits * least(cast(1 as double),
              cast({{ var('sampling_daily_audit_budget') }} as double) / total_required_audits) as planned_audits,
        required_audits * least(cast(1 as double),
              cast({{ var('sampling_daily_audit_budget') }} as double) / total_required_audits)
            / cast(population_decisions as double) as sampling_rate
    from budgeted
)

select * from final
