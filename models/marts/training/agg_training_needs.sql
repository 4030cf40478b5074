{%- set lookback_days = var('training_needs_lookback_days') -%}
-- What should each moderator be trained on next? Per moderator × vendor × policy, over the moderator's
-- in-sample human decisions of the last training_needs_lookback_days days up to the latest decision
-- date (a decision's policy: the effective QA policy, else the moderator's; an error: not
-- policy-correct, as in agg_training_effect):
--   n = in-sample decisions, x = errors; the weighted (population) error rate Σw·error / Σw with
--   weighted_errors (Σw over errors: the estimated wrong decisions this work stands for).
--   Shrinkage toward the moderator's peers - the vendor's moderators on the same policy - exactly as
--   agg_moderator_accuracy_monthly shrinks accuracy (beta-binomial, method of moments, macros
--   beta_binomial_prior_mean / _intra_class_correlation / _prior_strength), here on the error count:
--   posterior Beta(p̄ M + x, (1 − p̄) M + n − x); shrunk_error_rate = its mean.
--   The target of a policy's error rate is the peers' rate p̄ (policy error rates differ too much for
--   one programme-wide accuracy target to mean anything per policy): probability_worse_than_target =
--   P(φ > p̄ | data) (macro beta_exceedance_probability).
--   Recommended course: the policy's refresher (else its policy update) in seeds/courses.csv; for a
--   policy without a course, the remedial course. has_taken_recommended_course: the moderator
--   completed it (at any time). is_training_recommended: at least coaching_min_in_sample decisions and
--   probability_worse_than_target ≥ coaching_probability_threshold; need_rank orders a moderator's
--   policies by that probability.
with latest as (
    select max(decision_date) as latest_decision_date from {{ ref('fct_decisions') }}
),

decisions as (
    select
        decisions.moderator_id,
        decisions.vendor_id,
        coalesce(decisions.effective_qa_policy_code, decisions.policy_code) as policy_code,
        decisions.sampling_weight,
        case when decisions.is_policy_correct then 0 else 1 end as is_error
    from {{ ref('fct_decisions') }} as decisions
    cross join latest
    where decisions.is_in_sample and not decisions.is_automated and decisions.moderator_id is not null
        and coalesce(decisions.effective_qa_policy_code, decisions.policy_code) is not null
        and decisions.decision_date > {{ dbt.dateadd('day', -lookback_days, 'latest.latest_decision_date') }}
),

moderator_policies as (
    select
        moderator_id,
        vendor_id,
        policy_code,
        cast(count(*) as double) as in_sample,
        cast(sum(is_error) as double) as errors,
        sum(sampling_weight) as sum_w,
        sum(sampling_weight * is_error) as weighted_errors
    from decisions
    group by moderator_id, vendor_id, policy_code
),

peer_sums as (
    select
        vendor_id,
        policy_code,
        count(*) as moderators,
        sum(in_sample) as in_sample,
        sum(errors) as errors,
        sum(in_sample * in_sample) as squared_in_sample,
        sum(errors * errors / in_sample) as errors_squared_per_in_sample
    from moderator_policies
    group by vendor_id, policy_code
),

peer_means as (
    select
        peer_sums.*,
        {{ beta_binomial_prior_mean('errors', 'in_sample') }} as prior_mean
    from peer_sums
),

peer_priors as (
    select
        peer_means.*,
        {{ beta_binomial_prior_strength(beta_binomial_intra_class_correlation(
            'moderators', 'in_sample', 'errors', 'squared_in_sample', 'errors_squared_per_in_sample', 'prior_mean')) }}
            as prior_strength
    from peer_means
),

posteriors as (
    select
        moderator_policies.*,
        peer_priors.moderators as peer_moderators,
        peer_priors.prior_mean as peer_error_rate,
        peer_priors.prior_strength,
        peer_priors.prior_mean * peer_priors.prior_strength + moderator_policies.errors as posterior_errors,
        (1 - peer_priors.prior_mean) * peer_priors.prior_strength + moderator_policies.in_sample
            - moderator_policies.errors as posterior_correct
    from moderator_policies
    inner join peer_priors
        on moderator_policies.vendor_id = peer_priors.vendor_id
        and moderator_policies.policy_code = peer_priors.policy_code
),

exceedance as (
    {{ beta_exceedance_probability('posteriors', ['moderator_id', 'vendor_id', 'policy_code'],
                                   'posterior_errors', 'posterior_correct', 'peer_error_rate') }}
),

courses as (
    select
        course_id,
        policy_code,
        course_type,
        row_number() over (partition by policy_code
                           order by case course_type when 'refresher' then 1 else 2 end, course_id) as preference
    from {{ ref('stg_reference__courses') }}
    where course_type in ('refresher', 'policy_update', 'remedial')
),

policy_courses as (
    select policy_code, course_id from courses where policy_code is not null and preference = 1
),

remedial_course as (
    select min(course_id) as course_id from courses where course_type = 'remedial'
),

completed as (
    select distinct person_id, course_id from {{ ref('fct_trainings') }} where is_completed
),

judged as (
    select
        posteriors.*,
        exceedance.exceedance_probability as probability_worse_than_target,
        coalesce(policy_courses.course_id, remedial_course.course_id) as recommended_course_id
    from posteriors
    left join exceedance
        on posteriors.moderator_id = exceedance.moderator_id
        and posteriors.vendor_id = exceedance.vendor_id
        and posteriors.policy_code = exceedance.policy_code
    left join policy_courses on posteriors.policy_code = policy_courses.policy_code
    cross join remedial_course
),

final as (
    select
        judged.moderator_id,
        judged.vendor_id,
        judged.policy_code,
        cast(judged.in_sample as bigint) as in_sample,
        cast(judged.errors as bigint) as errors,
        judged.errors / judged.in_sample as error_rate,
        {{ wilson_bound('judged.errors / judged.in_sample', 'judged.in_sample', 'low') }} as error_rate_ci_low,
        {{ wilson_bound('judged.errors / judged.in_sample', 'judged.in_sample', 'high') }} as error_rate_ci_high,
        cast(judged.sum_w as double) as sum_w,
        cast(judged.weighted_errors as double) as weighted_errors,
        {{ safe_divide('judged.weighted_errors', 'judged.sum_w') }} as weighted_error_rate,
        cast(judged.peer_moderators as bigint) as peer_moderators,
        judged.peer_error_rate,
        judged.prior_strength,
        judged.posterior_errors,
        judged.posterior_correct,
        judged.posterior_errors / (judged.posterior_errors + judged.posterior_correct) as shrunk_error_rate,
        judged.probability_worse_than_target,
        judged.recommended_course_id,
        completed.course_id is not null as has_taken_recommended_course,
        judged.in_sample >= {{ var('coaching_min_in_sample') }}
            and coalesce(judged.probability_worse_than_target, 0)
                >= cast({{ var('coaching_probability_threshold') }} as double) as is_training_recommended,
        cast(row_number() over (partition by judged.moderator_id
                                order by judged.probability_worse_than_target desc, judged.weighted_errors desc,
                                         judged.policy_code, judged.vendor_id) as bigint) as need_rank
    from judged
    left join completed
        on judged.moderator_id = completed.person_id and judged.recommended_course_id = completed.course_id
)

select * from final
