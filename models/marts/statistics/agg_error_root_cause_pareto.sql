-- Pareto of error root causes per month and scope (all errors, per vendor, per policy), built on
-- agg_error_root_causes, as two separately ranked lists (ranking_list):
--   `population_estimate`: in-sample errors only (random audits: population evidence, DESIGN §4),
--   ranked by their weighted (Horvitz–Thompson) total Σw. Each cause's rate per decision of the
--   scope's population, R = Σw_cause / Σw of the population's in-sample decisions (the vendor's
--   decisions for a vendor scope, all decisions for the all and policy scopes), has a design-based
--   interval (Wilson on n*, macro weighted_rate_sample_size), and the estimated number of such errors
--   among the population's decisions is ratio-calibrated, N × R, with N × the interval.
--   `targeted_findings`: errors on decisions outside the sample (targeted, appeal and escalation
--   audits), ranked by count. These audits look where errors are expected, so the list says what was
--   found, never how common it is; it has no population estimate.
-- Shares and cumulative shares follow each list's ranking measure (Σw, or the count); the "vital few"
-- are the causes ranked before the cumulative share reaches pareto_vital_few_share. Severity-weighted
-- score: each error weighs error_severity_weights[severity]; for the population list also Σ w × weight
-- and that per 1,000 decisions of the population.
with root_causes as (
    select
        month_start_date,
        vendor_id,
        policy_code,
        root_cause_code,
        errors,
        in_sample_errors,
        weighted_errors,
        squared_weight_errors,
        {{ severity_weight('error_severity') }} as severity_weight
    from {{ ref('agg_error_root_causes') }}
),

scoped as (
    select month_start_date, 'all' as scope_type, 'all' as scope_value, root_cause_code, errors,
           in_sample_errors, weighted_errors, squared_weight_errors, severity_weight
    from root_causes
    union all
    select month_start_date, 'vendor', vendor_id, root_cause_code, errors, in_sample_errors, weighted_errors,
           squared_weight_errors, severity_weight
    from root_causes
    union all
    select month_start_date, 'policy', policy_code, root_cause_code, errors, in_sample_errors, weighted_errors,
           squared_weight_errors, severity_weight
    from root_causes
),

listed as (
    select
        month_start_date,
        scope_type,
        scope_value,
        'population_estimate' as ranking_list,
        root_cause_code,
        in_sample_errors as errors,
        weighted_errors,
        squared_weight_errors,
        severity_weight
    from scoped
    where in_sample_errors > 0
    union all
    select
        month_start_date,
        scope_type,
        scope_value,
        'targeted_findings' as ranking_list,
        root_cause_code,
        errors - in_sample_errors as errors,
        cast(null as double) as weighted_errors,
        cast(null as double) as squared_weight_errors,
        severity_weight
    from scoped
    where errors > in_sample_errors
),

by_cause as (
    select
        month_start_date,
        scope_type,
        scope_value,
        ranking_list,
        root_cause_code,
        sum(errors) as errors,
        sum(weighted_errors) as weighted_errors,
        sum(squared_weight_errors) as squared_weight_errors,
        sum(errors * severity_weight) as severity_weighted_errors,
        sum(weighted_errors * severity_weight) as weighted_severity_score,
        case when ranking_list = 'population_estimate' then sum(weighted_errors)
             else cast(sum(errors) as double) end as ranking_measure
    from listed
    group by month_start_date, scope_type, scope_value, ranking_list, root_cause_code
),

quality_daily as (
    select * from {{ ref('agg_quality_daily') }}
),

population_scoped as (
    select {{ first_day_of_month('decision_date') }} as month_start_date, 'all' as scope_type,
           'all' as scope_value, decisions, in_sample, sum_w, sum_w2
    from quality_daily
    union all
    select {{ first_day_of_month('decision_date') }}, 'vendor', vendor_id, decisions, in_sample, sum_w, sum_w2
    from quality_daily
),

populations as (
    select
        month_start_date,
        scope_type,
        scope_value,
        sum(decisions) as population_decisions,
        sum(in_sample) as population_in_sample,
        sum(sum_w) as population_sum_w,
        sum(sum_w2) as population_sum_w2
    from population_scoped
    group by month_start_date, scope_type, scope_value
),

with_population as (
    select
        by_cause.*,
        populations.population_decisions,
        populations.population_in_sample,
        populations.population_sum_w,
        populations.population_sum_w2
    from by_cause
    left join populations
        on by_cause.month_start_date = populations.month_start_date
        and populations.scope_type = case when by_cause.scope_type = 'vendor' then 'vendor' else 'all' end
        and populations.scope_value = case when by_cause.scope_type = 'vendor' then by_cause.scope_value else 'all' end
),

estimated as (
    select
        with_population.*,
        case when ranking_list = 'population_estimate' then
            {{ safe_divide('weighted_errors', 'population_sum_w') }} end as error_rate,
        case when ranking_list = 'population_estimate' then
            {{ weighted_rate_sample_size('weighted_errors', 'squared_weight_errors', 'population_sum_w',
                                         'population_sum_w2', 'population_in_sample') }} end
            as design_effective_sample_size
    from with_population
),

bounded as (
    select
        estimated.*,
        {{ wilson_bound('error_rate', 'design_effective_sample_size', 'low') }} as error_rate_ci_low,
        {{ wilson_bound('error_rate', 'design_effective_sample_size', 'high') }} as error_rate_ci_high
    from estimated
),

ranked as (
    select
        bounded.*,
        row_number() over list_order as pareto_rank,
        sum(ranking_measure) over list_total as list_total,
        sum(ranking_measure) over list_running as cumulative_measure
    from bounded
    window
        list_total as (partition by month_start_date, scope_type, scope_value, ranking_list),
        list_order as (partition by month_start_date, scope_type, scope_value, ranking_list
                       order by ranking_measure desc, root_cause_code),
        list_running as (partition by month_start_date, scope_type, scope_value, ranking_list
                         order by ranking_measure desc, root_cause_code
                         rows between unbounded preceding and current row)
),

final as (
    select
        month_start_date,
        scope_type,
        scope_value,
        ranking_list,
        root_cause_code,
        cast(pareto_rank as bigint) as pareto_rank,
        cast(errors as bigint) as errors,
        cast(weighted_errors as double) as weighted_errors,
        cast(squared_weight_errors as double) as squared_weight_errors,
        cast(population_decisions as bigint) as population_decisions,
        cast(population_in_sample as bigint) as population_in_sample,
        cast(population_sum_w as double) as population_sum_w,
        cast(population_sum_w2 as double) as population_sum_w2,
        error_rate,
        error_rate_ci_low,
        error_rate_ci_high,
        design_effective_sample_size,
        cast(population_decisions as double) * error_rate as estimated_errors,
        cast(population_decisions as double) * error_rate_ci_low as estimated_errors_lower,
        cast(population_decisions as double) * error_rate_ci_high as estimated_errors_upper,
        least(cast(1 as double), ranking_measure / list_total) as error_share,
        least(cast(1 as double), cumulative_measure / list_total) as cumulative_error_share,
        (cumulative_measure - ranking_measure) / list_total
            < cast({{ var('pareto_vital_few_share') }} as double) as is_vital_few,
        cast(severity_weighted_errors as double) as severity_weighted_errors,
        cast(weighted_severity_score as double) as weighted_severity_score,
        1000 * {{ safe_divide('weighted_severity_score', 'population_sum_w') }}
            as weighted_severity_score_per_1000_decisions
    from ranked
)

select * from final
