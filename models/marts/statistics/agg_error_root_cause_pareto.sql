-- Pareto of error root causes per month and scope (all errors, per vendor, per policy), built on
-- agg_error_root_causes. Causes are ranked by audited errors (ties: root_cause_code); shares and
-- cumulative shares follow that order for the count and for the population estimate Σw. The
-- "vital few" are the causes ranked before the cumulative error share reaches
-- pareto_vital_few_share (a cause is in them when the share of the causes ranked above it is below
-- the cut-off). Severity-weighted score: each error weighs error_severity_weights[severity]
-- (minor 1, major 3, critical 10 by default; `unspecified` as configured); for the all and vendor
-- scopes the population score is also given per 1,000 decisions (Σw of the scope's in-sample
-- decisions that month), so it compares across vendors; NULL for policies (no decision population).
with root_causes as (
    select
        month_start_date,
        vendor_id,
        policy_code,
        root_cause_code,
        errors,
        in_sample_errors,
        weighted_errors,
        {{ severity_weight('error_severity') }} as severity_weight
    from {{ ref('agg_error_root_causes') }}
),

scoped as (
    select month_start_date, 'all' as scope_type, 'all' as scope_value, root_cause_code, errors,
           in_sample_errors, weighted_errors, severity_weight
    from root_causes
    union all
    select month_start_date, 'vendor', vendor_id, root_cause_code, errors, in_sample_errors, weighted_errors,
           severity_weight
    from root_causes
    union all
    select month_start_date, 'policy', policy_code, root_cause_code, errors, in_sample_errors, weighted_errors,
           severity_weight
    from root_causes
),

by_cause as (
    select
        month_start_date,
        scope_type,
        scope_value,
        root_cause_code,
        sum(errors) as errors,
        sum(in_sample_errors) as in_sample_errors,
        sum(weighted_errors) as weighted_errors,
        sum(errors * severity_weight) as severity_weighted_errors,
        sum(weighted_errors * severity_weight) as weighted_severity_score
    from scoped
    group by month_start_date, scope_type, scope_value, root_cause_code
),

decision_population as (
    select {{ first_day_of_month('decision_date') }} as month_start_date, 'all' as scope_type,
           'all' as scope_value, sum_w
    from {{ ref('agg_quality_daily') }}
    union all
    select {{ first_day_of_month('decision_date') }}, 'vendor', vendor_id, sum_w
    from {{ ref('agg_quality_daily') }}
),

population as (
    select month_start_date, scope_type, scope_value, sum(sum_w) as scope_sum_w
    from decision_population
    group by month_start_date, scope_type, scope_value
),

ranked as (
    select
        by_cause.*,
        row_number() over scope_order as pareto_rank,
        sum(errors) over scope_total as scope_errors,
        sum(weighted_errors) over scope_total as scope_weighted_errors,
        sum(errors) over scope_running as cumulative_errors,
        sum(weighted_errors) over scope_running as cumulative_weighted_errors
    from by_cause
    window
        scope_total as (partition by month_start_date, scope_type, scope_value),
        scope_order as (partition by month_start_date, scope_type, scope_value
                        order by errors desc, root_cause_code),
        scope_running as (partition by month_start_date, scope_type, scope_value
                          order by errors desc, root_cause_code
                          rows between unbounded preceding and current row)
),

final as (
    select
        ranked.month_start_date,
        ranked.scope_type,
        ranked.scope_value,
        ranked.root_cause_code,
        cast(ranked.pareto_rank as bigint) as pareto_rank,
        cast(ranked.errors as bigint) as errors,
        cast(ranked.in_sample_errors as bigint) as in_sample_errors,
        cast(ranked.weighted_errors as double) as weighted_errors,
        cast(ranked.scope_errors as bigint) as scope_errors,
        {{ safe_divide('ranked.errors', 'ranked.scope_errors') }} as error_share,
        {{ safe_divide('ranked.cumulative_errors', 'ranked.scope_errors') }} as cumulative_error_share,
        {{ safe_divide('ranked.weighted_errors', 'ranked.scope_weighted_errors') }} as weighted_error_share,
        case when ranked.scope_weighted_errors > 0 then least(cast(1 as double),
                  ranked.cumulative_weighted_errors / ranked.scope_weighted_errors) end
            as cumulative_weighted_error_share,
        cast(ranked.cumulative_errors - ranked.errors as double) / cast(ranked.scope_errors as double)
            < cast({{ var('pareto_vital_few_share') }} as double) as is_vital_few,
        cast(ranked.severity_weighted_errors as double) as severity_weighted_errors,
        cast(ranked.weighted_severity_score as double) as weighted_severity_score,
        1000 * {{ safe_divide('ranked.weighted_severity_score', 'population.scope_sum_w') }}
            as weighted_severity_score_per_1000_decisions
    from ranked
    left join population
        on ranked.month_start_date = population.month_start_date
        and ranked.scope_type = population.scope_type
        and ranked.scope_value = population.scope_value
)

select * from final
