{% set weighted_total = '(quality.weighted_true_positives + quality.weighted_false_positives'
                         ~ ' + quality.weighted_false_negatives + quality.weighted_true_negatives)' %}
{% set squared_weight_total = '(quality.squared_weight_true_positives + quality.squared_weight_false_positives'
                               ~ ' + quality.squared_weight_false_negatives + quality.squared_weight_true_negatives)' %}
-- Whole-period quality and SLA per scope (global, vendor, queue): what `modqa run` prints.
-- Rates are recomputed from the additive parts of agg_quality_daily, never averaged. The headline is
-- the population (weighted) estimate with its design-based interval (Wilson on n*, as in
-- agg_quality_daily); the unweighted sample rates are kept beside it, labelled as the sample's.
-- A scope whose days are not all mature is provisional (is_provisional).
with daily as (
    select * from {{ ref('agg_quality_daily') }}
),

first_decisions as (
    select vendor_id, queue_id, within_sla from {{ ref('fct_decisions') }} where is_first_decision
),

latest_backlog as (
    select capacity.queue_id, capacity.backlog_end_of_day, capacity.overdue_backlog_end_of_day
    from {{ ref('agg_capacity_daily') }} as capacity
    where capacity.date_day = (select max(all_days.date_day) from {{ ref('agg_capacity_daily') }} as all_days)
),

quality_parts as (
    select 'global' as scope_type, 'all' as scope_value, daily.* from daily
    union all
    select 'vendor', vendor_id, daily.* from daily
    union all
    select 'queue', queue_id, daily.* from daily
),

quality as (
    select
        scope_type,
        scope_value,
        min(decision_date) as first_decision_date,
        max(decision_date) as last_decision_date,
        sum(decisions) as decisions,
        sum(in_sample) as in_sample,
        sum(true_positives) as true_positives,
        sum(false_positives) as false_positives,
        sum(false_negatives) as false_negatives,
        sum(true_negatives) as true_negatives,
        sum(weighted_true_positives) as weighted_true_positives,
        sum(weighted_false_positives) as weighted_false_positives,
        sum(weighted_false_negatives) as weighted_false_negatives,
        sum(weighted_true_negatives) as weighted_true_negatives,
        sum(squared_weight_true_positives) as squared_weight_true_positives,
        sum(squared_weight_false_positives) as squared_weight_false_positives,
        sum(squared_weight_false_negatives) as squared_weight_false_negatives,
        sum(squared_weight_true_negatives) as squared_weight_true_negatives,
        sum(sum_w) as sum_w,
        sum(sum_w2) as sum_w2,
        count(distinct case when not is_mature then decision_date end) as provisional_days
    from quality_parts
    group by scope_type, scope_value
),

sla_parts as (
    select 'global' as scope_type, 'all' as scope_value, within_sla from first_decisions
    union all
    select 'vendor', vendor_id, within_sla from first_decisions
    union all
    select 'queue', queue_id, within_sla from first_decisions
),

sla as (
    select
        scope_type,
        scope_value,
        count(*) as first_decisions,
        sum(case when within_sla then 1 else 0 end) as first_decisions_within_sla
    from sla_parts
    group by scope_type, scope_value
),

backlog as (
    select 'global' as scope_type, 'all' as scope_value,
           sum(backlog_end_of_day) as backlog_items, sum(overdue_backlog_end_of_day) as overdue_backlog_items
    from latest_backlog
    union all
    select 'queue', queue_id, backlog_end_of_day, overdue_backlog_end_of_day from latest_backlog
),

joined as (
    select
        quality.*,
        sla.first_decisions,
        sla.first_decisions_within_sla,
        backlog.backlog_items,
        backlog.overdue_backlog_items,
        {{ safe_divide('quality.true_positives + quality.true_negatives', 'quality.in_sample') }} as accuracy,
        {{ safe_divide('quality.false_positives', 'quality.false_positives + quality.true_negatives') }}
            as false_positive_rate,
        {{ safe_divide('quality.false_negatives', 'quality.false_negatives + quality.true_positives') }}
            as false_negative_rate,
        -- the denominator as the sum of the summed class parts, so a rate never exceeds 1 by rounding
        {{ safe_divide('quality.weighted_true_positives + quality.weighted_true_negatives', weighted_total) }}
            as weighted_accuracy,
        {{ safe_divide('quality.weighted_false_positives + quality.weighted_false_negatives', weighted_total) }}
            as weighted_error_rate,
        {{ safe_divide('quality.weighted_false_positives',
                       'quality.weighted_false_positives + quality.weighted_true_negatives') }}
            as weighted_false_positive_rate,
        {{ safe_divide('quality.weighted_false_negatives',
                       'quality.weighted_false_negatives + quality.weighted_true_positives') }}
            as weighted_false_negative_rate,
        {{ effective_sample_size('quality.sum_w', 'quality.sum_w2') }} as effective_sample_size,
        {{ weighted_rate_sample_size('quality.weighted_true_positives + quality.weighted_true_negatives',
                                     'quality.squared_weight_true_positives + quality.squared_weight_true_negatives',
                                     weighted_total, squared_weight_total, 'quality.in_sample') }}
            as design_effective_sample_size,
        {{ weighted_rate_sample_size('quality.weighted_false_positives', 'quality.squared_weight_false_positives',
                                     'quality.weighted_false_positives + quality.weighted_true_negatives',
                                     'quality.squared_weight_false_positives + quality.squared_weight_true_negatives',
                                     'quality.false_positives + quality.true_negatives') }}
            as design_effective_sample_size_negatives,
        {{ weighted_rate_sample_size('quality.weighted_false_negatives', 'quality.squared_weight_false_negatives',
                                     'quality.weighted_false_negatives + quality.weighted_true_positives',
                                     'quality.squared_weight_false_negatives + quality.squared_weight_true_positives',
                                     'quality.false_negatives + quality.true_positives') }}
            as design_effective_sample_size_positives,
        {{ safe_divide('sla.first_decisions_within_sla', 'sla.first_decisions') }} as sla_attainment
    from quality
    left join sla on quality.scope_type = sla.scope_type and quality.scope_value = sla.scope_value
    left join backlog on quality.scope_type = backlog.scope_type and quality.scope_value = backlog.scope_value
),

final as (
    select
        scope_type,
        scope_value,
        first_decision_date,
        last_decision_date,
        cast(decisions as bigint) as decisions,
        cast(in_sample as bigint) as in_sample,
        cast(true_positives as bigint) as true_positives,
        cast(false_positives as bigint) as false_positives,
        cast(false_negatives as bigint) as false_negatives,
        cast(true_negatives as bigint) as true_negatives,
        accuracy,
        {{ wilson_bound('accuracy', 'in_sample', 'low') }} as accuracy_ci_low,
        {{ wilson_bound('accuracy', 'in_sample', 'high') }} as accuracy_ci_high,
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
        cast(sum_w as double) as sum_w,
        cast(sum_w2 as double) as sum_w2,
        cast(weighted_true_positives as double) as weighted_true_positives,
        cast(weighted_false_positives as double) as weighted_false_positives,
        cast(weighted_false_negatives as double) as weighted_false_negatives,
        cast(weighted_true_negatives as double) as weighted_true_negatives,
        cast(squared_weight_true_positives as double) as squared_weight_true_positives,
        cast(squared_weight_false_positives as double) as squared_weight_false_positives,
        cast(squared_weight_false_negatives as double) as squared_weight_false_negatives,
        cast(squared_weight_true_negatives as double) as squared_weight_true_negatives,
        effective_sample_size,
        design_effective_sample_size,
        weighted_accuracy,
        {{ wilson_bound('weighted_accuracy', 'design_effective_sample_size', 'low') }} as weighted_accuracy_ci_low,
        {{ wilson_bound('weighted_accuracy', 'design_effective_sample_size', 'high') }} as weighted_accuracy_ci_high,
        design_effective_sample_size_negatives,
        weighted_false_positive_rate,
        {{ wilson_bound('weighted_false_positive_rate', 'design_effective_sample_size_negatives', 'low') }}
            as weighted_false_positive_rate_ci_low,
        {{ wilson_bound('weighted_false_positive_rate', 'design_effective_sample_size_negatives', 'high') }}
            as weighted_false_positive_rate_ci_high,
        design_effective_sample_size_positives,
        weighted_false_negative_rate,
        {{ wilson_bound('weighted_false_negative_rate', 'design_effective_sample_size_positives', 'low') }}
            as weighted_false_negative_rate_ci_low,
        {{ wilson_bound('weighted_false_negative_rate', 'design_effective_sample_size_positives', 'high') }}
            as weighted_false_negative_rate_ci_high,
        cast(decisions as double) * weighted_error_rate as estimated_wrong_decisions,
        cast(provisional_days as bigint) as provisional_days,
        provisional_days > 0 as is_provisional,
        cast(first_decisions as bigint) as first_decisions,
        cast(first_decisions_within_sla as bigint) as first_decisions_within_sla,
        sla_attainment,
        cast(backlog_items as bigint) as backlog_items,
        cast(overdue_backlog_items as bigint) as overdue_backlog_items
    from joined
)

select * from final
