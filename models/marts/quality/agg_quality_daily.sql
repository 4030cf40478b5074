{{ config(materialized=incremental_materialization(), unique_key='decision_date',
          incremental_strategy='replace_reopened') }}
-- depends_on: {{ ref('int_reopened_decisions') }}, {{ ref('int_reopened_days') }}
-- Incremental: the re-opened days (int_reopened_days) are replaced whole (strategy replace_reopened: a merge
-- would keep the rows of groups that vanished from a day).
-- Quality per decision day, vendor, queue and market. Stores the additive parts (counts, Σw, Σw² per
-- outcome class) next to every rate, so any roll-up recomputes rates from sums (DESIGN §4).
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
        weighted_false_positives + weighted_false_negatives as estimated_wrong_decisions
    from parts
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
        weighted_accuracy,
        {{ wilson_bound('weighted_accuracy', 'effective_sample_size', 'low') }} as weighted_accuracy_ci_low,
        {{ wilson_bound('weighted_accuracy', 'effective_sample_size', 'high') }} as weighted_accuracy_ci_high,
        weighted_false_positive_rate,
        {{ wilson_bound('weighted_false_positive_rate', 'effective_sample_size_negatives', 'low') }}
            as weighted_false_positive_rate_ci_low,
        {{ wilson_bound('weighted_false_positive_rate', 'effective_sample_size_negatives', 'high') }}
            as weighted_false_positive_rate_ci_high,
        weighted_false_negative_rate,
        {{ wilson_bound('weighted_false_negative_rate', 'effective_sample_size_positives', 'low') }}
            as weighted_false_negative_rate_ci_low,
        {{ wilson_bound('weighted_false_negative_rate', 'effective_sample_size_positives', 'high') }}
            as weighted_false_negative_rate_ci_high,
        estimated_wrong_decisions
    from rates
)

select * from final
