-- Each rater's calibration results against the expert per ISO week and per calendar month: who
-- grades too strictly (rejects what the expert approves: FP) or too leniently (approves what the
-- expert rejects: FN). tendency compares the two kinds of disagreement: strict_share = FP / (FP + FN)
-- with its Wilson interval on n = FP + FN; `too_strict` when the whole interval lies above 1/2,
-- `too_lenient` when below, else `balanced` (also when the rater never disagreed with the expert).
with labels as (
    select * from {{ ref('fct_calibration_labels') }}
    where not is_expert and expert_verdict is not null
),

periods as (
    select 'week' as period_type, {{ first_day_of_week('session_date') }} as period_start_date, labels.*
    from labels
    union all
    select 'month' as period_type, {{ first_day_of_month('session_date') }} as period_start_date, labels.*
    from labels
),

counts as (
    select
        period_type,
        period_start_date,
        rater_id,
        max(rater_vendor_id) as rater_vendor_id,
        count(distinct session_id) as sessions,
        count(*) as labels_scored,
        sum(case when matches_expert_verdict then 1 else 0 end) as matches_expert_verdict,
        sum(case when expert_verdict = 'reject' then 1 else 0 end) as expert_rejects,
        sum(case when expert_verdict = 'approve' then 1 else 0 end) as expert_approves,
        sum(case when expert_verdict = 'approve' and verdict = 'reject' then 1 else 0 end) as false_positives,
        sum(case when expert_verdict = 'reject' and verdict = 'approve' then 1 else 0 end) as false_negatives
    from periods
    group by period_type, period_start_date, rater_id
),

rates as (
    select
        counts.*,
        {{ safe_divide('false_positives', 'false_positives + false_negatives') }} as strict_share
    from counts
),

bounded as (
    select
        rates.*,
        {{ wilson_bound('strict_share', 'false_positives + false_negatives', 'low') }} as strict_share_ci_low,
        {{ wilson_bound('strict_share', 'false_positives + false_negatives', 'high') }} as strict_share_ci_high
    from rates
),

final as (
    select
        period_type,
        period_start_date,
        rater_id,
        rater_vendor_id,
        cast(sessions as bigint) as sessions,
        cast(labels_scored as bigint) as labels_scored,
        cast(matches_expert_verdict as bigint) as matches_expert_verdict,
        {{ safe_divide('matches_expert_verdict', 'labels_scored') }} as verdict_accuracy,
        {{ wilson_bound(safe_divide('matches_expert_verdict', 'labels_scored'), 'labels_scored', 'low') }}
            as verdict_accuracy_ci_low,
        {{ wilson_bound(safe_divide('matches_expert_verdict', 'labels_scored'), 'labels_scored', 'high') }}
            as verdict_accuracy_ci_high,
        cast(expert_rejects as bigint) as expert_rejects,
        cast(expert_approves as bigint) as expert_approves,
        cast(false_positives as bigint) as false_positives,
        cast(false_negatives as bigint) as false_negatives,
        {{ safe_divide('false_positives', 'expert_approves') }} as false_positive_rate,
        {{ wilson_bound(safe_divide('false_positives', 'expert_approves'), 'expert_approves', 'low') }}
            as false_positive_rate_ci_low,
        {{ wilson_bound(safe_divide('false_positives', 'expert_approves'), 'expert_approves', 'high') }}
            as false_positive_rate_ci_high,
        {{ safe_divide('false_negatives', 'expert_rejects') }} as false_negative_rate,
        {{ wilson_bound(safe_divide('false_negatives', 'expert_rejects'), 'expert_rejects', 'low') }}
            as false_negative_rate_ci_low,
        {{ wilson_bound(safe_divide('false_negatives', 'expert_rejects'), 'expert_rejects', 'high') }}
            as false_negative_rate_ci_high,
        strict_share,
        strict_share_ci_low,
        strict_share_ci_high,
        case when strict_share_ci_low > 0.5 then 'too_strict'
             when strict_share_ci_high < 0.5 then 'too_lenient'
             else 'balanced' end as tendency
    from bounded
)

select * from final
