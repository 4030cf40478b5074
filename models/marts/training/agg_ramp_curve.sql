{%- set max_weeks = var('ramp_max_tenure_weeks') -%}
-- New-hire ramp: per vendor × hire cohort (month of hired_on) × week of tenure (0 = the first 7 days
-- from the hire date), the weighted (population) accuracy of the cohort's in-sample human decisions
-- with its design-based Wilson interval (Korn–Graubard n*, macro weighted_rate_sample_size), and the
-- mean handle time of all their decisions with its normal-approximation interval. Tenure = days from
-- the moderator's hired_on (roster version valid at the decision) to the decision date; weeks
-- 0 … ramp_max_tenure_weeks − 1 (people hired long before the data start are not on a ramp).
-- Target: the vendor's monthly accuracy target in kpi_targets, else the global one.
-- weeks_to_proficiency (one value per cohort, repeated on its rows): the first tenure week whose
-- interval lies wholly at or above the target (accuracy_ci_low ≥ target); NULL while no week has.
with decisions as (
    select
        decisions.vendor_id,
        moderators.hired_on,
        decisions.moderator_id,
        decisions.decision_date,
        decisions.handle_seconds,
        decisions.is_in_sample,
        decisions.sampling_weight,
        decisions.is_correct
    from {{ ref('fct_decisions') }} as decisions
    inner join {{ ref('dim_moderator') }} as moderators
        on decisions.moderator_version_id = moderators.moderator_version_id
    where not decisions.is_automated and moderators.hired_on is not null
),

tenured as (
    select
        decisions.*,
        {{ first_day_of_month('hired_on') }} as hire_cohort_month,
        cast(floor({{ dbt.datediff('hired_on', 'decision_date', 'day') }} / 7) as bigint) as tenure_week
    from decisions
),

weekly as (
    select
        vendor_id,
        hire_cohort_month,
        tenure_week,
        count(distinct moderator_id) as moderators,
        count(*) as decisions,
        sum(handle_seconds) as handle_seconds,
        avg(cast(handle_seconds as double)) as mean_handle_seconds,
        stddev_samp(cast(handle_seconds as double)) as handle_seconds_stddev,
        sum(case when is_in_sample then 1 else 0 end) as in_sample,
        sum(case when is_in_sample then sampling_weight else 0 end) as sum_w,
        sum(case when is_in_sample then sampling_weight * sampling_weight else 0 end) as sum_w2,
        sum(case when is_in_sample and is_correct then sampling_weight else 0 end) as correct_w,
        sum(case when is_in_sample and is_correct then sampling_weight * sampling_weight else 0 end) as correct_w2
    from tenured
    where tenure_week >= 0 and tenure_week < {{ max_weeks }}
    group by vendor_id, hire_cohort_month, tenure_week
),

targets as (
    select scope_type, scope_value, target
    from {{ ref('stg_reference__kpi_targets') }}
    where metric = 'accuracy' and period = 'monthly' and scope_type in ('vendor', 'global')
),

rated as (
    select
        weekly.*,
        {{ safe_divide('correct_w', 'sum_w') }} as weighted_accuracy,
        {{ weighted_rate_sample_size('correct_w', 'correct_w2', 'sum_w', 'sum_w2', 'in_sample') }}
            as design_effective_sample_size,
        coalesce(vendor_targets.target, global_targets.target) as accuracy_target
    from weekly
    left join targets as vendor_targets
        on vendor_targets.scope_type = 'vendor' and vendor_targets.scope_value = weekly.vendor_id
    left join targets as global_targets
        on global_targets.scope_type = 'global' and global_targets.scope_value = 'all'
),

bounded as (
    select
        rated.*,
        {{ wilson_bound('weighted_accuracy', 'design_effective_sample_size', 'low') }} as weighted_accuracy_ci_low,
        {{ wilson_bound('weighted_accuracy', 'design_effective_sample_size', 'high') }} as weighted_accuracy_ci_high
    from rated
),

proficiency as (
    select
        vendor_id,
        hire_cohort_month,
        min(case when weighted_accuracy_ci_low >= accuracy_target then tenure_week end) as weeks_to_proficiency
    from bounded
    group by vendor_id, hire_cohort_month
),

final as (
    select
        bounded.vendor_id,
        bounded.hire_cohort_month,
        bounded.tenure_week,
        cast(bounded.moderators as bigint) as moderators,
        cast(bounded.decisions as bigint) as decisions,
        cast(bounded.handle_seconds as bigint) as handle_seconds,
        cast(bounded.mean_handle_seconds as double) as mean_handle_seconds,
        {{ normal_mean_bound('bounded.mean_handle_seconds', 'bounded.handle_seconds_stddev', 'bounded.decisions', 'low', 0) }}
            as mean_handle_seconds_low,
        {{ normal_mean_bound('bounded.mean_handle_seconds', 'bounded.handle_seconds_stddev', 'bounded.decisions', 'high') }}
            as mean_handle_seconds_high,
        cast(bounded.in_sample as bigint) as in_sample,
        cast(bounded.sum_w as double) as sum_w,
        cast(bounded.sum_w2 as double) as sum_w2,
        cast(bounded.correct_w as double) as weighted_correct,
        cast(bounded.correct_w2 as double) as squared_weight_correct,
        bounded.weighted_accuracy,
        bounded.weighted_accuracy_ci_low,
        bounded.weighted_accuracy_ci_high,
        cast(bounded.design_effective_sample_size as double) as design_effective_sample_size,
        cast(bounded.accuracy_target as double) as accuracy_target,
        coalesce(bounded.weighted_accuracy_ci_low >= bounded.accuracy_target, false) as is_proficient,
        cast(proficiency.weeks_to_proficiency as bigint) as weeks_to_proficiency
    from bounded
    inner join proficiency
        on bounded.vendor_id = proficiency.vendor_id and bounded.hire_cohort_month = proficiency.hire_cohort_month
)

select * from final
