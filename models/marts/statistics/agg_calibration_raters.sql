-- Each panel rater's accuracy against the session expert (the reference), on the verdict and on the
-- full label, and the direction of their verdict errors: a false positive is a rejection the expert
-- approved (too strict), a false negative an approval the expert rejected (too lenient).
with labels as (
    select * from {{ ref('fct_calibration_labels') }}
    where not is_expert
),

counts as (
    select
        session_id,
        rater_id,
        min(session_date) as session_date,
        max(rater_vendor_id) as rater_vendor_id,
        count(*) as items_labelled,
        sum(case when expert_verdict is not null then 1 else 0 end) as items_scored,
        sum(case when matches_expert_verdict then 1 else 0 end) as matches_expert_verdict,
        sum(case when matches_expert_label then 1 else 0 end) as matches_expert_label,
        sum(case when expert_verdict = 'reject' then 1 else 0 end) as expert_rejects,
        sum(case when expert_verdict = 'approve' then 1 else 0 end) as expert_approves,
        sum(case when expert_verdict = 'approve' and verdict = 'reject' then 1 else 0 end) as false_positives,
        sum(case when expert_verdict = 'reject' and verdict = 'approve' then 1 else 0 end) as false_negatives
    from labels
    group by session_id, rater_id
),

final as (
    select
        session_id,
        rater_id,
        session_date,
        rater_vendor_id,
        cast(items_labelled as bigint) as items_labelled,
        cast(items_scored as bigint) as items_scored,
        cast(matches_expert_verdict as bigint) as matches_expert_verdict,
        {{ safe_divide('matches_expert_verdict', 'items_scored') }} as verdict_accuracy,
        {{ wilson_bound(safe_divide('matches_expert_verdict', 'items_scored'), 'items_scored', 'low') }}
            as verdict_accuracy_ci_low,
        {{ wilson_bound(safe_divide('matches_expert_verdict', 'items_scored'), 'items_scored', 'high') }}
            as verdict_accuracy_ci_high,
        cast(matches_expert_label as bigint) as matches_expert_label,
        {{ safe_divide('matches_expert_label', 'items_scored') }} as label_accuracy,
        {{ wilson_bound(safe_divide('matches_expert_label', 'items_scored'), 'items_scored', 'low') }}
            as label_accuracy_ci_low,
        {{ wilson_bound(safe_divide('matches_expert_label', 'items_scored'), 'items_scored', 'high') }}
            as label_accuracy_ci_high,
        cast(expert_rejects as bigint) as expert_rejects,
        cast(expert_approves as bigint) as expert_approves,
        cast(false_positives as bigint) as false_positives,
        cast(false_negatives as bigint) as false_negatives,
        {{ safe_divide('false_positives', 'expert_approves') }} as false_positive_rate,
        {{ safe_divide('false_negatives', 'expert_rejects') }} as false_negative_rate
    from counts
)

select * from final
