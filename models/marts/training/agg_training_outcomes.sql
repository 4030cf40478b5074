-- Assessment results and training volume per course and vendor (vendor_id 'all': every vendor), over
-- every enrolment in fct_trainings: enrolments, completions, completed training minutes (course
-- duration × completions), assessments taken and passed with the pass rate and its Wilson interval,
-- and the mean assessment score with its normal-approximation interval (macro normal_mean_bound).
with trainings as (
    select * from {{ ref('fct_trainings') }}
),

scoped as (
    select course_id, coalesce(vendor_id, 'unknown') as vendor_id, course_name, course_type, policy_code, is_completed, duration_minutes, assessment_score, passed
    from trainings
    union all
    select course_id, 'all' as vendor_id, course_name, course_type, policy_code, is_completed, duration_minutes, assessment_score, passed
    from trainings
),

sums as (
    select
        course_id,
        vendor_id,
        max(course_name) as course_name,
        max(course_type) as course_type,
        max(policy_code) as policy_code,
        count(*) as enrolments,
        sum(case when is_completed then 1 else 0 end) as completions,
        sum(case when is_completed then duration_minutes else 0 end) as completed_training_minutes,
        sum(case when passed is not null then 1 else 0 end) as assessments,
        sum(case when passed then 1 else 0 end) as assessments_passed,
        avg(assessment_score) as mean_assessment_score,
        stddev_samp(assessment_score) as assessment_score_stddev,
        count(assessment_score) as scored_assessments
    from scoped
    group by course_id, vendor_id
),

final as (
    select
        course_id,
        vendor_id,
        course_name,
        course_type,
        policy_code,
        cast(enrolments as bigint) as enrolments,
        cast(completions as bigint) as completions,
        cast(completed_training_minutes as bigint) as completed_training_minutes,
        cast(assessments as bigint) as assessments,
        cast(assessments_passed as bigint) as assessments_passed,
        {{ safe_divide('assessments_passed', 'assessments') }} as pass_rate,
        {{ wilson_bound(safe_divide('assessments_passed', 'assessments'), 'assessments', 'low') }} as pass_rate_ci_low,
        {{ wilson_bound(safe_divide('assessments_passed', 'assessments'), 'assessments', 'high') }} as pass_rate_ci_high,
        cast(mean_assessment_score as double) as mean_assessment_score,
        {{ normal_mean_bound('mean_assessment_score', 'assessment_score_stddev', 'scored_assessments', 'low') }}
            as mean_assessment_score_low,
        {{ normal_mean_bound('mean_assessment_score', 'assessment_score_stddev', 'scored_assessments', 'high') }}
            as mean_assessment_score_high
    from sums
)

select * from final
