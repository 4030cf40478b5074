{% set weighted_total = '(weighted_true_positives + weighted_false_positives'
                         ~ ' + weighted_false_negatives + weighted_true_negatives)' %}
{% set squared_weight_total = '(squared_weight_true_positives + squared_weight_false_positives'
                               ~ ' + squared_weight_false_negatives + squared_weight_true_negatives)' %}
{% set minimum_n = 'cast(' ~ var('min_effective_sample_size') ~ ' as double)' %}
-- Weekly population quality per scope (global, vendor): the trend lines of the monthly business review
-- (`modqa report`). Rates are recomputed from the additive parts of agg_quality_daily, never averaged,
-- with the same estimators as agg_quality_summary: the weighted (population) rate and Wilson on its
-- design-based n*. A rate whose n* is below min_effective_sample_size is NULL (as in the KPI marts);
-- n* stays published so a chart can say why a week has no point. A week with a provisional day (audits
-- not all in) or fewer than 7 days of data is marked.
with daily as (
    select * from {{ ref('agg_quality_daily') }}
),

scoped as (
    select 'global' as scope_type, 'all' as scope_value, {{ first_day_of_week('decision_date') }} as week_start_date,
           daily.*
    from daily
    union all
    select 'vendor', vendor_id, {{ first_day_of_week('decision_date') }}, daily.* from daily
),

weekly as (
    select
        week_start_date,
        scope_type,
        scope_value,
        count(distinct decision_date) as days_with_decisions,
        sum(decisions) as decisions,
        sum(in_sample) as in_sample,
        sum(weighted_true_positives) as weighted_true_positives,
        sum(weighted_false_positives) as weighted_false_positives,
        sum(weighted_false_negatives) as weighted_false_negatives,
        sum(weighted_true_negatives) as weighted_true_negatives,
        sum(squared_weight_true_positives) as squared_weight_true_positives,
        sum(squared_weight_false_positives) as squared_weight_false_positives,
        sum(squared_weight_false_negatives) as squared_weight_false_negatives,
        sum(squared_weight_true_negatives) as squared_weight_true_negatives,
        sum(true_positives + true_negatives) as correct,
        sum(false_positives + true_negatives) as negatives,
        sum(false_negatives + true_positives) as positives,
        count(distinct case when not is_mature then decision_date end) as provisional_days
    from scoped
    group by week_start_date, scope_type, scope_value
),

rates as (
    select
        weekly.*,
        -- the denominator as the sum of the summed class parts, so a rate never exceeds 1 by rounding
        {{ safe_divide('weighted_true_positives + weighted_true_negatives', weighted_total) }} as weighted_accuracy,
        {{ safe_divide('weighted_false_positives', 'weighted_false_positives + weighted_true_negatives') }}
            as weighted_false_positive_rate,
        {{ safe_divide('weighted_false_negatives', 'weighted_false_negatives + weighted_true_positives') }}
            as weighted_false_negative_rate,
        {{ weighted_rate_sample_size('weighted_true_positives + weighted_true_negatives',
                                     'squared_weight_true_positives + squared_weight_true_negatives',
                                     weighted_total, squared_weight_total, 'in_sample') }}
            as design_effective_sample_size,
        {{ weighted_rate_sample_size('weighted_false_positives', 'squared_weight_false_positives',
                                     'weighted_false_positives + weighted_true_negatives',
                                     'squared_weight_false_positives + squared_weight_true_negatives',
                                     'negatives') }}
            as design_effective_sample_size_negatives,
        {{ weighted_rate_sample_size('weighted_false_negatives', 'squared_weight_false_negatives',
                                     'weighted_false_negatives + weighted_true_positives',
                                     'squared_weight_false_negatives + squared_weight_true_positives',
                                     'positives') }}
            as design_effective_sample_size_positives
    from weekly
),

reportable as (
    select
        rates.*,
        case when coalesce(design_effective_sample_size, 0) >= {{ minimum_n }} then weighted_accuracy end
            as reported_accuracy,
        case when coalesce(design_effective_sample_size_negatives, 0) >= {{ minimum_n }}
             then weighted_false_positive_rate end as reported_false_positive_rate,
        case when coalesce(design_effective_sample_size_positives, 0) >= {{ minimum_n }}
             then weighted_false_negative_rate end as reported_false_negative_rate
    from rates
),

final as (
    select
        week_start_date,
        scope_type,
        scope_value,
        cast(days_with_decisions as bigint) as days_with_decisions,
        cast(decisions as bigint) as decisions,
        cast(in_sample as bigint) as in_sample,
        cast(weighted_true_positives as double) as weighted_true_positives,
        cast(weighted_false_positives as double) as weighted_false_positives,
        cast(weighted_false_negatives as double) as weighted_false_negatives,
        cast(weighted_true_negatives as double) as weighted_true_negatives,
        cast(squared_weight_true_positives as double) as squared_weight_true_positives,
        cast(squared_weight_false_positives as double) as squared_weight_false_positives,
        cast(squared_weight_false_negatives as double) as squared_weight_false_negatives,
        cast(squared_weight_true_negatives as double) as squared_weight_true_negatives,
        design_effective_sample_size,
        reported_accuracy as weighted_accuracy,
        {{ wilson_bound('reported_accuracy', 'design_effective_sample_size', 'low') }} as weighted_accuracy_ci_low,
        {{ wilson_bound('reported_accuracy', 'design_effective_sample_size', 'high') }} as weighted_accuracy_ci_high,
        design_effective_sample_size_negatives,
        reported_false_positive_rate as weighted_false_positive_rate,
        {{ wilson_bound('reported_false_positive_rate', 'design_effective_sample_size_negatives', 'low') }}
            as weighted_false_positive_rate_ci_low,
        {{ wilson_bound('reported_false_positive_rate', 'design_effective_sample_size_negatives', 'high') }}
            as weighted_false_positive_rate_ci_high,
        design_effective_sample_size_positives,
        reported_false_negative_rate as weighted_false_negative_rate,
        {{ wilson_bound('reported_false_negative_rate', 'design_effective_sample_size_positives', 'low') }}
            as weighted_false_negative_rate_ci_low,
        {{ wilson_bound('reported_false_negative_rate', 'design_effective_sample_size_positives', 'high') }}
            as weighted_false_negative_rate_ci_high,
        cast(provisional_days as bigint) as provisional_days,
        provisional_days > 0 or days_with_decisions < 7 as is_provisional
    from reportable
)

select * from final
