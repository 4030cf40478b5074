-- Appeals against audits, per decision month and scope (global, vendor, queue): the share of resolved
-- appeals that were overturned next to the audited over-enforcement rates, each with its 95 % Wilson
-- interval, and flags where the intervals do not overlap.
--   appeal_overturn_rate = overturned / resolved appeals (open appeals left out), Wilson on (p̂, n).
--   false_positive_rate = Σw_FP / (Σw_FP + Σw_TN): the population share of non-violating items that
--   were rejected (Horvitz–Thompson, Wilson on the design-based n*; Kish n_eff beside it).
--   false_discovery_rate = Σw_FP / (Σw_FP + Σw_TP): the share of rejections that were wrong. Appeals
--   are filed against rejections only, so this is the like-for-like audited counterpart of the
--   overturn rate; FPR has a different denominator (all truly non-violating items) and is expected
--   to be far lower. Appeals are also self-selected (wrongly rejected advertisers appeal more), so a
--   disagreement says "look here", not "one of them is wrong".
with appeals as (
    select decision_date, vendor_id, queue_id, is_open, is_overturned
    from {{ ref('fct_appeals') }}
    where not is_open
),

appeals_scoped as (
    select 'global' as scope_type, 'all' as scope_value, appeals.* from appeals
    union all
    select 'vendor', vendor_id, appeals.* from appeals
    union all
    select 'queue', queue_id, appeals.* from appeals
),

appeal_sums as (
    select
        {{ first_day_of_month('decision_date') }} as month_start_date,
        scope_type,
        scope_value,
        count(*) as resolved_appeals,
        sum(case when is_overturned then 1 else 0 end) as overturned_appeals
    from appeals_scoped
    group by {{ first_day_of_month('decision_date') }}, scope_type, scope_value
),

quality_daily as (
    select * from {{ ref('agg_quality_daily') }}
),

quality_scoped as (
    select 'global' as scope_type, 'all' as scope_value, quality_daily.* from quality_daily
    union all
    select 'vendor', vendor_id, quality_daily.* from quality_daily
    union all
    select 'queue', queue_id, quality_daily.* from quality_daily
),

audit_sums as (
    select
        {{ first_day_of_month('decision_date') }} as month_start_date,
        scope_type,
        scope_value,
        sum(false_positives + true_negatives) as audited_negatives,
        sum(true_positives + false_positives) as audited_rejections,
        sum(weighted_false_positives) as weighted_false_positives,
        sum(squared_weight_false_positives) as squared_weight_false_positives,
        sum(weighted_false_positives + weighted_true_negatives) as weighted_negatives,
        sum(squared_weight_false_positives + squared_weight_true_negatives) as squared_weight_negatives,
        sum(weighted_true_positives + weighted_false_positives) as weighted_rejections,
        sum(squared_weight_true_positives + squared_weight_false_positives) as squared_weight_rejections
    from quality_scoped
    group by {{ first_day_of_month('decision_date') }}, scope_type, scope_value
),

joined as (
    select
        coalesce(appeal_sums.month_start_date, audit_sums.month_start_date) as month_start_date,
        coalesce(appeal_sums.scope_type, audit_sums.scope_type) as scope_type,
        coalesce(appeal_sums.scope_value, audit_sums.scope_value) as scope_value,
        cast(coalesce(appeal_sums.resolved_appeals, 0) as bigint) as resolved_appeals,
        cast(coalesce(appeal_sums.overturned_appeals, 0) as bigint) as overturned_appeals,
        {{ safe_divide('appeal_sums.overturned_appeals', 'appeal_sums.resolved_appeals') }} as appeal_overturn_rate,
        cast(coalesce(audit_sums.audited_negatives, 0) as bigint) as audited_negatives,
        cast(coalesce(audit_sums.audited_rejections, 0) as bigint) as audited_rejections,
        cast(coalesce(audit_sums.weighted_false_positives, 0) as double) as weighted_false_positives,
        cast(coalesce(audit_sums.squared_weight_false_positives, 0) as double) as squared_weight_false_positives,
        cast(coalesce(audit_sums.weighted_negatives, 0) as double) as weighted_negatives,
        cast(coalesce(audit_sums.squared_weight_negatives, 0) as double) as squared_weight_negatives,
        cast(coalesce(audit_sums.weighted_rejections, 0) as double) as weighted_rejections,
        cast(coalesce(audit_sums.squared_weight_rejections, 0) as double) as squared_weight_rejections
    from appeal_sums
    full outer join audit_sums
        on appeal_sums.month_start_date = audit_sums.month_start_date
        and appeal_sums.scope_type = audit_sums.scope_type
        and appeal_sums.scope_value = audit_sums.scope_value
),

rates as (
    select
        joined.*,
        {{ safe_divide('weighted_false_positives', 'weighted_negatives') }} as false_positive_rate,
        {{ effective_sample_size('weighted_negatives', 'squared_weight_negatives') }}
            as effective_sample_size_negatives,
        {{ weighted_rate_sample_size('weighted_false_positives', 'squared_weight_false_positives',
                                     'weighted_negatives', 'squared_weight_negatives', 'audited_negatives') }}
            as design_effective_sample_size_negatives,
        {{ safe_divide('weighted_false_positives', 'weighted_rejections') }} as false_discovery_rate,
        {{ effective_sample_size('weighted_rejections', 'squared_weight_rejections') }}
            as effective_sample_size_rejections,
        {{ weighted_rate_sample_size('weighted_false_positives', 'squared_weight_false_positives',
                                     'weighted_rejections', 'squared_weight_rejections', 'audited_rejections') }}
            as design_effective_sample_size_rejections
    from joined
),

bounded as (
    select
        rates.*,
        {{ wilson_bound('appeal_overturn_rate', 'resolved_appeals', 'low') }} as appeal_overturn_rate_ci_low,
        {{ wilson_bound('appeal_overturn_rate', 'resolved_appeals', 'high') }} as appeal_overturn_rate_ci_high,
        {{ wilson_bound('false_positive_rate', 'design_effective_sample_size_negatives', 'low') }}
            as false_positive_rate_ci_low,
        {{ wilson_bound('false_positive_rate', 'design_effective_sample_size_negatives', 'high') }}
            as false_positive_rate_ci_high,
        {{ wilson_bound('false_discovery_rate', 'design_effective_sample_size_rejections', 'low') }}
            as false_discovery_rate_ci_low,
        {{ wilson_bound('false_discovery_rate', 'design_effective_sample_size_rejections', 'high') }}
            as false_discovery_rate_ci_high
    from rates
),

final as (
    select
        month_start_date,
        scope_type,
        scope_value,
        resolved_appeals,
        overturned_appeals,
        appeal_overturn_rate,
        appeal_overturn_rate_ci_low,
        appeal_overturn_rate_ci_high,
        audited_negatives,
        audited_rejections,
        weighted_false_positives,
        squared_weight_false_positives,
        weighted_negatives,
        squared_weight_negatives,
        weighted_rejections,
        squared_weight_rejections,
        false_positive_rate,
        false_positive_rate_ci_low,
        false_positive_rate_ci_high,
        effective_sample_size_negatives,
        design_effective_sample_size_negatives,
        false_discovery_rate,
        false_discovery_rate_ci_low,
        false_discovery_rate_ci_high,
        effective_sample_size_rejections,
        design_effective_sample_size_rejections,
        case when appeal_overturn_rate is null or false_positive_rate is null then null
             else appeal_overturn_rate_ci_low > false_positive_rate_ci_high
                  or appeal_overturn_rate_ci_high < false_positive_rate_ci_low
        end as is_disagreement_with_false_positive_rate,
        case when appeal_overturn_rate is null or false_discovery_rate is null then null
             else appeal_overturn_rate_ci_low > false_discovery_rate_ci_high
                  or appeal_overturn_rate_ci_high < false_discovery_rate_ci_low
        end as is_disagreement_with_false_discovery_rate
    from bounded
)

select * from final
