{{ config(**incremental_config('day', ['decision_date', 'vendor_id', 'queue_id', 'market'])) }}
-- depends_on: {{ ref('int_reopened_decisions') }}, {{ ref('int_reopened_days') }}
-- Incremental: the re-opened days (int_reopened_days) are replaced whole (strategy replace_reopened: a merge
-- would keep the rows of groups that vanished from a day).
-- depends_on: {{ ref('stg_landing__audits') }}
-- Quality per decision day, vendor, queue and market. Stores the additive parts (counts, Σw, Σw² per
-- outcome class) next to every rate, so any roll-up recomputes rates from sums (DESIGN §4).
-- Weighted rates: Horvitz–Thompson ratios, Wilson on the design-based effective sample size n*
-- (Korn–Graubard on the Poisson-sampling linearised variance, macro weighted_rate_sample_size); Kish
-- n_eff is published beside it. is_mature: the day is on or before mature_through_date (its audits
-- are in). estimated_wrong_decisions is ratio-calibrated to the day's known decisions,
-- N × (1 − weighted accuracy), with the interval of the rate scaled by N: raw Σw over the errors
-- under-counts days whose audits are still arriving.
with decisions as (
    select * from {{ ref('fct_decisions') }}
    {%- if is_incremental() %}
    where {{ is_reopened_day('decision_date') }}
    {%- endif %}
),

sums as (
    select
        decision_date,
        vendor_id,
        queue_id,
        market,
        count(*) as decisions,
        sum(case when is_in_sample then 1 else 0 end) as in_sample,
        sum(case when is_in_sample and outcome = 'TP' then 1 else 0 end) as true_positives,
        sum(case when is_in_sample and outcome = 'FP' then 1 else 0 end) as false_positives,
        sum(case when is_in_sample and outcome = 'FN' then 1 else 0 end) as false_negatives,
        sum(case when is_in_sample and outcome = 'TN' then 1 else 0 end) as true_negatives,
        sum(case when is_in_sample and is_policy_correct then 1 else 0 end) as policy_correct,
        sum(case when is_in_sample and outcome = 'TP' then sampling_weight else 0 end) as weighted_true_positives,
        sum(case when is_in_sample and outcome = 'FP' then sampling_weight else 0 end) as weighted_false_positives,
        sum(case when is_in_sample and outcome = 'FN' then sampling_weight else 0 end) as weighted_false_negatives,
        sum(case when is_in_sample and outcome = 'TN' then sampling_weight else 0 end) as weighted_true_negatives,
        sum(case when is_in_sample and outcome = 'TP' then sampling_weight * sampling_weight else 0 end)
            as squared_weight_true_positives,
        sum(case when is_in_sample and outcome = 'FP' then sampling_weight * sampling_weight else 0 end)
            as squared_weight_false_positives,
        sum(case when is_in_sample and outcome = 'FN' then sampling_weight * sampling_weight else 0 end)
            as squared_weight_false_negatives,
        sum(case when is_in_sample and outcome = 'TN' then sampling_weight * sampling_weight else 0 end)
            as squared_weight_true_negatives
    from decisions
    group by decision_date, vendor_id, queue_id, market
),

parts as (
    select
        decision_date,
        vendor_id,
        queue_id,
        market,
        cast(decisions as bigint) as decisions,
        cast(in_sample as bigint) as in_sample,
        cast(true_positives as bigint) as true_positives,
        cast(false_positives as bigint) as false_positives,
        cast(false_negatives as bigint) as false_negatives,
        cast(true_negatives as bigint) as true_negatives,
        cast(policy_correct as bigint) as policy_correct,
        cast(weighted_true_positives as double) as weighted_true_positives,
        cast(weighted_false_positives as double) as weighted_false_positives,
        cast(weighted_false_negatives as double) as weighted_false_negatives,
        cast(weighted_true_negatives as double) as weighted_true_negatives,
        cast(squared_weight_true_positives as double) as squared_weight_true_positives,
        cast(squared_weight_false_positives as double) as squared_weight_false_positives,
        cast(squared_weight_false_negatives as double) as squared_weight_false_negatives,
        cast(squared_weight_true_negatives as double) as squared_weight_true_negatives,
        cast(weighted_true_positives + weighted_false_positives + weighted_false_negatives
             + weighted_true_negatives as double) as sum_w,
        cast(squared_weight_true_positives + squared_weight_false_positives + squared_weight_false_negatives
             + squared_weight_true_negatives as double) as sum_w2
    from sums
),

rates as (
    select
        parts.*,
        {{ safe_divide('true_positives + true_negatives', 'in_sample') }} as accuracy,
        {{ safe_divide('policy_correct', 'in_sample') }} as policy_accuracy,
        {{ safe_divide('false_positives', 'false_positives + true_negatives') }} as false_positive_rate,
        {{ safe_divide('false_negatives', 'false_negatives + true_positives') }} as false_negative_rate,
        {{ safe_divide('true_positives', 'true_positives + false_positives') }} as precision,
        {{ safe_divide('true_positives', 'true_positives + false_negatives') }} as recall,
        {{ safe_divide('weighted_true_positives + weighted_true_negatives', 'sum_w') }} as weighted_accuracy,
        {{ safe_divide('weighted_false_positives', 'weighted_false_positives + weighted_true_negatives') }}
            as weighted_false_positive_rate,
        {{ safe_divide('weighted_false_negatives', 'weighted_false_negatives + weighted_true_positives') }}
            as weighted_false_negative_rate,
        {{ effective_sample_size('sum_w', 'sum_w2') }} as effective_sample_size,
        {{ effective_sample_size('weighted_false_positives + weighted_true_negatives',
                                 'squared_weight_false_positives + squared_weight_true_negatives') }}
            as effective_sample_size_negatives,
        {{ effective_sample_size('weighted_false_negatives + weighted_true_positives',
                                 'squared_weight_false_negatives + squared_weight_true_positives') }}
            as effective_sample_size_positives,
        {{ weighted_rate_sample_size('weighted_true_positives + weighted_true_negatives',
                                     'squared_weight_true_positives + squared_weight_true_negatives',
                                     'sum_w', 'sum_w2', 'in_sample') }} as design_effective_sample_size,
        {{ weighted_rate_sample_size('weighted_false_positives', 'squared_weight_false_positives',
                                     'weighted_false_positives + weighted_true_negatives',
                                     'squared_weight_false_positives + squared_weight_true_negatives',
                                     'false_positives + true_negatives') }}
            as design_effective_sample_size_negatives,
        {{ weighted_rate_sample_size('weighted_false_negatives', 'squared_weight_false_negatives',
                                     'weighted_false_negatives + weighted_true_positives',
                                     'squared_weight_false_negatives + squared_weight_true_positives',
                                     'false_negatives + true_positives') }}
            as design_effective_sample_size_positives
    from parts
),

bounded as (
    select
        rates.*,
        {{ wilson_bound('weighted_accuracy', 'design_effective_sample_size', 'low') }} as weighted_accuracy_ci_low,
        {{ wilson_bound('weighted_accuracy', 'design_effective_sample_size', 'high') }} as weighted_accuracy_ci_high,
        decision_date <= {{ mature_through_date() }} as is_mature_day
    from rates
),

final as (
    select
        decision_date,
        vendor_id,
        queue_id,
        market,
        decisions,
        in_sample,
        true_positives,
        false_positives,
        false_negatives,
        true_negatives,
        policy_correct,
        sum_w,
        sum_w2,
        weighted_true_positives,
        weighted_false_positives,
        weighted_false_negatives,
        weighted_true_negatives,
        squared_weight_true_positives,
        squared_weight_false_positives,
        squared_weight_false_negatives,
        squared_weight_true_negatives,
        accuracy,
        {{ wilson_bound('accuracy', 'in_sample', 'low') }} as accuracy_ci_low,
        {{ wilson_bound('accuracy', 'in_sample', 'high') }} as accuracy_ci_high,
        policy_accuracy,
        {{ wilson_bound('policy_accuracy', 'in_sample', 'low') }} as policy_accuracy_ci_low,
        {{ wilson_bound('policy_accuracy', 'in_sample', 'high') }} as policy_accuracy_ci_high,
        false_positive_rate,
        {{ wilson_bound('false_positive_rate', 'false_positives + true_negatives', 'low') }}
            as false_positive_rate_ci_low,
        {{ wilson_bound('false_positive_rate', 'false_positives + true_negatives', 'high') }}
            as false_positive_rate_ci_high,
        false_negative_rate,
        {{ wilson_bound('false_negative_rate', 'false_negatives + true_positives', 'low') }}
            as false_negative_rate_ci_low,
        {{ wilson_bound('false_negative_rate', 'false_negatives + true_positives', 'high') }}
            as false_negative_rate_ci_high,
        precision,
        recall,
        effective_sample_size,
        design_effective_sample_size,
        design_effective_sample_size_negatives,
        design_effective_sample_size_positives,
        weighted_accuracy,
        weighted_accuracy_ci_low,
        weighted_accuracy_ci_high,
        weighted_false_positive_rate,
        {{ wilson_bound('weighted_false_positive_rate', 'design_effective_sample_size_negatives', 'low') }}
            as weighted_false_positive_rate_ci_low,
        {{ wilson_bound('weighted_false_positive_rate', 'design_effective_sample_size_negatives', 'high') }}
            as weighted_false_positive_rate_ci_high,
        weighted_false_negative_rate,
        {{ wilson_bound('weighted_false_negative_rate', 'design_effective_sample_size_positives', 'low') }}
            as weighted_false_negative_rate_ci_low,
        {{ wilson_bound('weighted_false_negative_rate', 'design_effective_sample_size_positives', 'high') }}
            as weighted_false_negative_rate_ci_high,
        cast(decisions as double)
            * {{ safe_divide('weighted_false_positives + weighted_false_negatives', 'sum_w') }} as estimated_wrong_decisions,
        cast(decisions as double) * (1 - weighted_accuracy_ci_high) as estimated_wrong_decisions_lower,
        cast(decisions as double) * (1 - weighted_accuracy_ci_low) as estimated_wrong_decisions_upper,
        coalesce(is_mature_day, false) as is_mature
    from bounded
)

select * from final
