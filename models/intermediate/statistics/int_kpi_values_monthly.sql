-- Every KPI the targets can name, per month and scope (global `all`, vendor, queue, market), with its
-- interval, sample size and additive parts. How each kind of KPI is estimated:
--   * accuracy, false_positive_rate, false_negative_rate, precision, recall: Horvitz–Thompson ratios
--     of summed Σw parts of agg_quality_daily (never averaged rates); interval Wilson on (p̂_w, n*),
--     n* the design-based effective sample size (Korn–Graubard on the Poisson-sampling linearised
--     variance from the numerator's and denominator's Σw and Σw², df = n − 1); Kish n_eff beside it.
--   * sla_attainment: within-SLA first decisions / first decisions (all first decisions, no weights);
--     interval Wilson on (p̂, n), the month treated as n Bernoulli trials of the process; n_eff = n* = n.
--   * qa_turnaround_hours: mean hours from decision to audit over the month's random and targeted
--     audits (by audit date; appeal and escalation audits wait on outside events, not on QA);
--     interval mean ± z · s / √n (normal approximation), floored at 0; n_eff = n* = n audits.
--   * backlog_items: end-of-month backlog (the month's last day in agg_capacity_daily). A count, not
--     an estimate: the interval is the value itself and there is no sample size.
with quality_daily as (
    select * from {{ ref('agg_quality_daily') }}
),

quality_scoped as (
    select 'global' as scope_type, 'all' as scope_value, quality_daily.* from quality_daily
    union all
    select 'vendor', vendor_id, quality_daily.* from quality_daily
    union all
    select 'queue', queue_id, quality_daily.* from quality_daily
    union all
    select 'market', market, quality_daily.* from quality_daily
),

quality_sums as (
    select
        {{ first_day_of_month('decision_date') }} as month_start_date,
        scope_type,
        scope_value,
        sum(true_positives) as true_positives,
        sum(false_positives) as false_positives,
        sum(false_negatives) as false_negatives,
        sum(true_negatives) as true_negatives,
        sum(weighted_true_positives) as w_tp,
        sum(weighted_false_positives) as w_fp,
        sum(weighted_false_negatives) as w_fn,
        sum(weighted_true_negatives) as w_tn,
        sum(squared_weight_true_positives) as w2_tp,
        sum(squared_weight_false_positives) as w2_fp,
        sum(squared_weight_false_negatives) as w2_fn,
        sum(squared_weight_true_negatives) as w2_tn
    from quality_scoped
    group by {{ first_day_of_month('decision_date') }}, scope_type, scope_value
),

-- One row per weighted-rate KPI: numerator and denominator Σw and Σw², denominator count.
quality_parts as (
    select month_start_date, scope_type, scope_value, 'accuracy' as metric,
           w_tp + w_tn as numerator, w2_tp + w2_tn as numerator_sum_squared_weights,
           w_tp + w_fp + w_fn + w_tn as denominator, w2_tp + w2_fp + w2_fn + w2_tn as sum_squared_weights,
           true_positives + false_positives + false_negatives + true_negatives as sample_size
    from quality_sums
    union all
    select month_start_date, scope_type, scope_value, 'false_positive_rate',
           w_fp, w2_fp, w_fp + w_tn, w2_fp + w2_tn, false_positives + true_negatives
    from quality_sums
    union all
    select month_start_date, scope_type, scope_value, 'false_negative_rate',
           w_fn, w2_fn, w_fn + w_tp, w2_fn + w2_tp, false_negatives + true_positives
    from quality_sums
    union all
    select month_start_date, scope_type, scope_value, 'precision',
           w_tp, w2_tp, w_tp + w_fp, w2_tp + w2_fp, true_positives + false_positives
    from quality_sums
    union all
    select month_start_date, scope_type, scope_value, 'recall',
           w_tp, w2_tp, w_tp + w_fn, w2_tp + w2_fn, true_positives + false_negatives
    from quality_sums
),

quality_rates as (
    select
        quality_parts.*,
        {{ safe_divide('numerator', 'denominator') }} as value,
        {{ effective_sample_size('denominator', 'sum_squared_weights') }} as effective_sample_size,
        {{ weighted_rate_sample_size('numerator', 'numerator_sum_squared_weights', 'denominator',
                                     'sum_squared_weights', 'sample_size') }} as design_effective_sample_size
    from quality_parts
),

quality_values as (
    select
        month_start_date,
        scope_type,
        scope_value,
        metric,
        value,
        {{ wilson_bound('value', 'design_effective_sample_size', 'low') }} as ci_lower,
        {{ wilson_bound('value', 'design_effective_sample_size', 'high') }} as ci_upper,
        'wilson_weighted' as interval_method,
        cast(sample_size as bigint) as sample_size,
        effective_sample_size,
        design_effective_sample_size,
        cast(numerator as double) as numerator,
        cast(numerator_sum_squared_weights as double) as numerator_sum_squared_weights,
        cast(denominator as double) as denominator,
        cast(sum_squared_weights as double) as sum_squared_weights,
        cast(null as double) as sum_squared_values
    from quality_rates
),

first_decisions as (
    -- Summed per day, vendor, queue and market in one pass over the decisions; the scopes below then
    -- re-aggregate these few rows instead of four copies of every first decision.
    select
        decision_date,
        vendor_id,
        queue_id,
        market,
        count(*) as first_decisions,
        sum(case when within_sla then 1 else 0 end) as within_sla
    from {{ ref('fct_decisions') }}
    where is_first_decision
    group by decision_date, vendor_id, queue_id, market
),

sla_scoped as (
    select 'global' as scope_type, 'all' as scope_value, first_decisions.* from first_decisions
    union all
    select 'vendor', vendor_id, first_decisions.* from first_decisions
    union all
    select 'queue', queue_id, first_decisions.* from first_decisions
    union all
    select 'market', market, first_decisions.* from first_decisions
),

sla_sums as (
    select
        {{ first_day_of_month('decision_date') }} as month_start_date,
        scope_type,
        scope_value,
        cast(sum(first_decisions) as bigint) as first_decisions,
        cast(sum(within_sla) as bigint) as within_sla
    from sla_scoped
    group by {{ first_day_of_month('decision_date') }}, scope_type, scope_value
),

sla_values as (
    select
        month_start_date,
        scope_type,
        scope_value,
        'sla_attainment' as metric,
        {{ safe_divide('within_sla', 'first_decisions') }} as value,
        {{ wilson_bound(safe_divide('within_sla', 'first_decisions'), 'first_decisions', 'low') }} as ci_lower,
        {{ wilson_bound(safe_divide('within_sla', 'first_decisions'), 'first_decisions', 'high') }} as ci_upper,
        'wilson' as interval_method,
        cast(first_decisions as bigint) as sample_size,
        cast(first_decisions as double) as effective_sample_size,
        cast(first_decisions as double) as design_effective_sample_size,
        cast(within_sla as double) as numerator,
        cast(null as double) as numerator_sum_squared_weights,
        cast(first_decisions as double) as denominator,
        cast(null as double) as sum_squared_weights,
        cast(null as double) as sum_squared_values
    from sla_sums
),

audits as (
    select
        audit_date,
        vendor_id,
        queue_id,
        market,
        qa_turnaround_minutes / cast(60 as double) as turnaround_hours
    from {{ ref('fct_qa_audits') }}
    where audit_type in ('random', 'targeted')
),

audits_scoped as (
    select 'global' as scope_type, 'all' as scope_value, audits.* from audits
    union all
    select 'vendor', vendor_id, audits.* from audits
    union all
    select 'queue', queue_id, audits.* from audits
    union all
    select 'market', market, audits.* from audits
),

turnaround_sums as (
    select
        {{ first_day_of_month('audit_date') }} as month_start_date,
        scope_type,
        scope_value,
        count(*) as audits,
        sum(turnaround_hours) as sum_hours,
        sum(turnaround_hours * turnaround_hours) as sum_squared_hours,
        avg(turnaround_hours) as mean_hours,
        stddev_samp(turnaround_hours) as standard_deviation_hours
    from audits_scoped
    group by {{ first_day_of_month('audit_date') }}, scope_type, scope_value
),

turnaround_values as (
    select
        month_start_date,
        scope_type,
        scope_value,
        'qa_turnaround_hours' as metric,
        cast(mean_hours as double) as value,
        {{ normal_mean_bound('mean_hours', 'standard_deviation_hours', 'audits', 'low', floor=0) }} as ci_lower,
        {{ normal_mean_bound('mean_hours', 'standard_deviation_hours', 'audits', 'high') }} as ci_upper,
        'normal_mean' as interval_method,
        cast(audits as bigint) as sample_size,
        cast(audits as double) as effective_sample_size,
        cast(audits as double) as design_effective_sample_size,
        cast(sum_hours as double) as numerator,
        cast(null as double) as numerator_sum_squared_weights,
        cast(audits as double) as denominator,
        cast(null as double) as sum_squared_weights,
        cast(sum_squared_hours as double) as sum_squared_values
    from turnaround_sums
),

capacity as (
    select date_day, {{ first_day_of_month('date_day') }} as month_start_date, queue_id, backlog_end_of_day
    from {{ ref('agg_capacity_daily') }}
),

month_ends as (
    select month_start_date, max(date_day) as month_end_date
    from capacity
    group by month_start_date
),

backlog_scoped as (
    select capacity.month_start_date, 'global' as scope_type, 'all' as scope_value, capacity.backlog_end_of_day
    from capacity
    inner join month_ends on capacity.date_day = month_ends.month_end_date
    union all
    select capacity.month_start_date, 'queue', capacity.queue_id, capacity.backlog_end_of_day
    from capacity
    inner join month_ends on capacity.date_day = month_ends.month_end_date
),

backlog_values as (
    select
        month_start_date,
        scope_type,
        scope_value,
        'backlog_items' as metric,
        cast(sum(backlog_end_of_day) as double) as value,
        cast(sum(backlog_end_of_day) as double) as ci_lower,
        cast(sum(backlog_end_of_day) as double) as ci_upper,
        'exact_count' as interval_method,
        cast(null as bigint) as sample_size,
        cast(null as double) as effective_sample_size,
        cast(null as double) as design_effective_sample_size,
        cast(sum(backlog_end_of_day) as double) as numerator,
        cast(null as double) as numerator_sum_squared_weights,
        cast(null as double) as denominator,
        cast(null as double) as sum_squared_weights,
        cast(null as double) as sum_squared_values
    from backlog_scoped
    group by month_start_date, scope_type, scope_value
),

final as (
    select * from quality_values
    union all
    select * from sla_values
    union all
    select * from turnaround_values
    union all
    select * from backlog_values
)

select * from final
