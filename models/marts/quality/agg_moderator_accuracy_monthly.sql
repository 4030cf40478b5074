{{ config(**incremental_config('month', ['month_start_date', 'vendor_id', 'moderator_id'])) }}
-- depends_on: {{ ref('int_reopened_days') }}
-- Incremental: the months holding a re-opened day are replaced whole (a month's vendor prior pools all its
-- moderators).
-- Moderator accuracy per month with empirical-Bayes (beta-binomial) shrinkage toward the moderator's
-- vendor, the posterior probability of being below target, and the coaching list (DESIGN §4: judge on
-- the uncertainty, not on raw rates of three audits). Per month × vendor × human moderator, over the
-- moderator's in-sample decisions (random audits; unweighted: the moderator's own audited work):
--   n = in-sample decisions, x = correct verdicts (is_correct).
--   Prior Beta(α, β) per vendor and month, by the method of moments for the beta-binomial (Kleinman
--   1973; macros beta_binomial_prior_mean, beta_binomial_intra_class_correlation,
--   beta_binomial_prior_strength): p̄ = (Σx + 1/2) / (Σn + 1), S = Σ n_i (x_i/n_i − p̄)², intra-class
--   correlation ρ = (S / (p̄(1 − p̄)) − (k − 1)) / (Σn − Σn_i² / Σn) over the vendor's k moderators; prior
--   strength M = α + β = (1 − ρ) / ρ, within [1, shrinkage_max_prior_strength] (ρ ≤ 0, or a single
--   moderator: no spread beyond chance, so everyone is shrunk to the vendor; ρ ≥ 1/2, possible in tiny
--   samples even above 1: a prior worth one audit); α = p̄ M, β = (1 − p̄) M.
--   Posterior Beta(a, b) = Beta(α + x, β + n − x); shrunk accuracy = a / (a + b).
--   Target: the accuracy target of kpi_targets for scope `moderator` and this moderator if there is
--   one, else the vendor's, else the global one (target_source says which).
--   probability_below_target = P(θ < target | data) = P(φ > 1 − target) for the error rate
--   φ = 1 − θ ~ Beta(b, a), integrated numerically (macro beta_exceedance_probability: midpoint rule
--   in u = φ^min(b, 1) with posterior_integration_points points per panel, within 2e-5 of
--   scipy.stats.beta.cdf for a ≥ 1).
--   Coaching list: moderators with at least coaching_min_in_sample in-sample decisions and
--   probability_below_target ≥ coaching_probability_threshold, ranked by that probability.
with decisions as (
    select
        {{ first_day_of_month('decision_date') }} as month_start_date,
        vendor_id,
        moderator_id,
        is_correct
    from {{ ref('fct_decisions') }}
    where is_in_sample and not is_automated and moderator_id is not null
    {%- if is_incremental() %}
        and {{ is_reopened_period('month', 'decision_date') }}
    {%- endif %}
),

moderators as (
    select
        month_start_date,
        vendor_id,
        moderator_id,
        cast(count(*) as double) as in_sample,
        cast(sum(case when is_correct then 1 else 0 end) as double) as correct
    from decisions
    group by month_start_date, vendor_id, moderator_id
),

vendor_sums as (
    select
        month_start_date,
        vendor_id,
        count(*) as moderators,
        sum(in_sample) as in_sample,
        sum(correct) as correct,
        sum(in_sample * in_sample) as squared_in_sample,
        sum(correct * correct / in_sample) as correct_squared_per_in_sample
    from moderators
    group by month_start_date, vendor_id
),

vendor_means as (
    select
        vendor_sums.*,
        {{ beta_binomial_prior_mean('correct', 'in_sample') }} as prior_mean
    from vendor_sums
),

vendor_correlations as (
    select
        vendor_means.*,
        {{ beta_binomial_intra_class_correlation('moderators', 'in_sample', 'correct', 'squared_in_sample',
                                                 'correct_squared_per_in_sample', 'prior_mean') }}
            as intra_class_correlation
    from vendor_means
),

priors as (
    select
        vendor_correlations.*,
        {{ beta_binomial_prior_strength('intra_class_correlation') }} as prior_strength
    from vendor_correlations
),

targets as (
    select scope_type, scope_value, target
    from {{ ref('stg_reference__kpi_targets') }}
    where metric = 'accuracy' and period = 'monthly' and scope_type in ('moderator', 'vendor', 'global')
),

posteriors as (
    select
        moderators.month_start_date,
        moderators.vendor_id,
        moderators.moderator_id,
        moderators.in_sample,
        moderators.correct,
        priors.moderators as vendor_moderators,
        priors.prior_mean,
        priors.intra_class_correlation,
        priors.prior_strength,
        priors.prior_mean * priors.prior_strength + moderators.correct as posterior_correct,
        (1 - priors.prior_mean) * priors.prior_strength + moderators.in_sample - moderators.correct
            as posterior_errors,
        coalesce(moderator_targets.target, vendor_targets.target, global_targets.target) as target,
        case when moderator_targets.target is not null then 'moderator'
             when vendor_targets.target is not null then 'vendor'
             when global_targets.target is not null then 'global' end as target_source
    from moderators
    inner join priors
        on moderators.month_start_date = priors.month_start_date and moderators.vendor_id = priors.vendor_id
    left join targets as moderator_targets
        on moderator_targets.scope_type = 'moderator' and moderator_targets.scope_value = moderators.moderator_id
    left join targets as vendor_targets
        on vendor_targets.scope_type = 'vendor' and vendor_targets.scope_value = moderators.vendor_id
    left join targets as global_targets
        on global_targets.scope_type = 'global' and global_targets.scope_value = 'all'
),

-- P(θ < target) = P(φ > 1 − target) for the error rate φ = 1 − θ ~ Beta(posterior_errors, posterior_correct).
integrals as (
    {{ beta_exceedance_probability('posteriors', ['month_start_date', 'vendor_id', 'moderator_id'],
                                   'posterior_errors', 'posterior_correct', '1 - target') }}
),

judged as (
    select
        posteriors.*,
        integrals.exceedance_probability as probability_below_target,
        posteriors.in_sample >= {{ var('coaching_min_in_sample') }}
            and integrals.exceedance_probability >= cast({{ var('coaching_probability_threshold') }} as double)
            as is_on_coaching_list
    from posteriors
    left join integrals
        on posteriors.month_start_date = integrals.month_start_date
        and posteriors.vendor_id = integrals.vendor_id
        and posteriors.moderator_id = integrals.moderator_id
),

final as (
    select
        month_start_date,
        vendor_id,
        moderator_id,
        cast(in_sample as bigint) as in_sample,
        cast(correct as bigint) as correct,
        correct / in_sample as accuracy,
        {{ wilson_bound('correct / in_sample', 'in_sample', 'low') }} as accuracy_ci_low,
        {{ wilson_bound('correct / in_sample', 'in_sample', 'high') }} as accuracy_ci_high,
        cast(vendor_moderators as bigint) as vendor_moderators,
        prior_mean as vendor_prior_accuracy,
        intra_class_correlation,
        prior_strength,
        posterior_correct,
        posterior_errors,
        posterior_correct / (posterior_correct + posterior_errors) as shrunk_accuracy,
        target,
        target_source,
        probability_below_target,
        coalesce(is_on_coaching_list, false) as is_on_coaching_list,
        case when is_on_coaching_list then
            cast(row_number() over (partition by month_start_date, is_on_coaching_list
                                    order by probability_below_target desc, in_sample desc, moderator_id) as bigint)
        end as coaching_rank
    from judged
)

select * from final
