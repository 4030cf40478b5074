-- Each rater's calibration results against the expert per ISO week and per calendar month: who
-- grades too strictly (rejects what the expert approves: FP) or too leniently (approves what the
-- expert rejects: FN). The call is an exact McNemar test of FP against FN (paired labels: under "no
-- tendency" FP ~ Binomial(FP + FN, 1/2)): two-sided p = min(1, 2 P(X ≤ min(FP, FN))), computed
-- exactly from log binomial coefficients; then Benjamini–Hochberg across the raters of the same
-- period (one family per period_type × period_start_date: every rater with a disagreement is one
-- test). tendency `too_strict` / `too_lenient` when the BH-adjusted p (q) is at most
-- var calibration_drift_false_discovery_rate and FP > FN / FN > FP; otherwise `balanced` (also
-- without disagreements). strict_share = FP / (FP + FN) with its Wilson interval is descriptive.
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

-- One row per k = 0 … min(FP, FN) of each tested rater: the lower tail of Binomial(FP + FN, 1/2).
tail_terms as (
    select
        period_type,
        period_start_date,
        rater_id,
        false_positives + false_negatives as disagreements,
        {{ expand_integer_range(0, 'least(false_positives, false_negatives)') }} as k
    from counts
    where false_positives + false_negatives > 0
),

log_coefficients as (
    select
        tail_terms.*,
        -- ln C(n, k) = Σ_{i ≤ k} ln((n − i + 1) / i), accumulated over k
        sum(case when k = 0 then cast(0 as double)
                 else ln(cast(disagreements - k + 1 as double)) - ln(cast(k as double)) end)
            over (partition by period_type, period_start_date, rater_id order by k
                  rows between unbounded preceding and current row) as log_binomial_coefficient
    from tail_terms
),

exact_tests as (
    select
        period_type,
        period_start_date,
        rater_id,
        least(cast(1 as double),
              2 * sum(exp(log_binomial_coefficient - cast(disagreements as double) * ln(cast(2 as double)))))
            as mcnemar_p_value
    from log_coefficients
    group by period_type, period_start_date, rater_id
),

ranked_tests as (
    select
        exact_tests.*,
        count(*) over (partition by period_type, period_start_date) as family_tests,
        row_number() over (partition by period_type, period_start_date
                           order by mcnemar_p_value, rater_id) as p_value_rank
    from exact_tests
),

adjusted_tests as (
    select
        period_type,
        period_start_date,
        rater_id,
        mcnemar_p_value,
        family_tests,
        -- Benjamini–Hochberg: q_(i) = min over j ≥ i of p_(j) m / j, capped at 1
        least(cast(1 as double), min(mcnemar_p_value * family_tests / p_value_rank)
            over (partition by period_type, period_start_date order by mcnemar_p_value desc, rater_id desc
                  rows between unbounded preceding and current row)) as mcnemar_q_value
    from ranked_tests
),

tested as (
    select
        bounded.*,
        adjusted_tests.mcnemar_p_value,
        adjusted_tests.mcnemar_q_value,
        adjusted_tests.family_tests
    from bounded
    left join adjusted_tests
        on bounded.period_type = adjusted_tests.period_type
        and bounded.period_start_date = adjusted_tests.period_start_date
        and bounded.rater_id = adjusted_tests.rater_id
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
        mcnemar_p_value,
        mcnemar_q_value,
        cast(family_tests as bigint) as family_tests,
        case when mcnemar_q_value <= cast({{ var('calibration_drift_false_discovery_rate') }} as double)
                  and false_positives > false_negatives then 'too_strict'
             when mcnemar_q_value <= cast({{ var('calibration_drift_false_discovery_rate') }} as double)
                  and false_negatives > false_positives then 'too_lenient'
             else 'balanced' end as tendency
    from tested
)

select * from final
