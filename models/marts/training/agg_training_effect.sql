{%- set window_days = var('training_effect_window_days') -%}
{#- The per-moderator sums (decisions, below) that the stack carries and adds up. -#}
{%- set decision_sums = ['in_sample', 'weighted_rows', 'sum_w', 'sum_w2', 'errors_w', 'errors_w2'] -%}
-- Did a course work? Per course × vendor (vendor_id 'all': every vendor's events pooled), the error
-- rate on the course's work before vs after completion for trained moderators, against moderators not
-- yet trained over the same weeks (difference-in-differences, a stacked design).
--   Work and error: in-sample human decisions (random audits, weighted w = 1/π); a course with a policy
--   covers the decisions whose policy - the effective QA policy, else the moderator's - is that policy
--   (a decision both sides approved names none); a general course covers every decision. An error is a
--   decision that is not policy-correct (wrong verdict, or a rejection under the wrong policy).
--   Events: completed trainings. Trained rows: the moderator's decisions in the training_effect_window_days
--   days before the start date (before) and after the completion date (after); the training days
--   themselves are left out. Controls of a cohort (course × vendor × completion date): decisions of
--   the vendor's other moderators who had not completed the course by the end of the after window, in
--   the same calendar windows around the completion date. A control row is re-weighted by
--   k = Σw(trained, cohort, period) / Σw(controls, cohort, period), so the controls' before and after
--   rates are averaged over cohorts in the trained moderators' proportions (Wing, Freedman & Hollingsworth 2024).
--   Estimates: the four weighted (Horvitz–Thompson) error rates R; naive before/after = R_trained,after −
--   R_trained,before; DiD = naive − (R_control,after − R_control,before); did_relative_effect = DiD / the
--   trained moderators' counterfactual after rate (R_trained,after − DiD). Intervals: Taylor
--   linearisation clustered by moderator (a moderator's decisions, and a control's rows stacked in
--   several cohorts, are not independent): z_m = Σ_rows of m c_g w (y − R_g) / Σ_g w with c = +1, −1, −1,
--   +1 for trained after, trained before, control after, control before (naive: the first two only),
--   v = M/(M − 1) Σ z_m² over the M moderators in the stack, estimate ± t(M − 1) √v. The trained rates
--   carry their own design-based Wilson intervals (Korn–Graubard n*, macro weighted_rate_sample_size).
-- Assumptions, stated plainly: (1) parallel trends - without the course, trained and not-yet-trained
-- moderators' error rates would have moved alike over the window; (2) no anticipation and no spill-over
-- (the course changes nothing before completion, nor the untrained colleagues' work); (3) who takes
-- the course when is unrelated to a temporary swing in their own error rate. (3) fails for courses
-- assigned on performance (remedial: is_performance_assigned): people are sent after a bad spell that
-- would have passed anyway, so both the naive and the DiD figure credit the course with regression to
-- the mean; read them as upper bounds of the effect, not as the effect.
-- One row per moderator, day and policy with the sums every estimate below is linear in: a decision
-- enters the stack once per cohort window it falls in, so summing first makes the stack cohorts ×
-- moderator-days instead of cohorts × decisions.
with decisions as (
    select
        moderator_id,
        vendor_id,
        decision_date,
        decision_policy_code,
        count(*) as in_sample,
        count(case when sampling_weight > 0 then 1 end) as weighted_rows,
        sum(sampling_weight) as sum_w,
        sum(sampling_weight * sampling_weight) as sum_w2,
        sum(sampling_weight * is_error) as errors_w,
        sum(sampling_weight * sampling_weight * is_error) as errors_w2
    from (
        select
            moderator_id,
            vendor_id,
            decision_date,
            coalesce(effective_qa_policy_code, policy_code) as decision_policy_code,
            sampling_weight,
            case when is_policy_correct then 0 else 1 end as is_error
        from {{ ref('fct_decisions') }}
        where is_in_sample and not is_automated and moderator_id is not null
    ) as in_sample_decisions
    group by moderator_id, vendor_id, decision_date, decision_policy_code
),

events as (
    select
        training_id,
        person_id as moderator_id,
        vendor_id,
        course_id,
        course_name,
        course_type,
        policy_code,
        started_date,
        completed_date
    from {{ ref('fct_trainings') }}
    where is_completed and vendor_id is not null
),

cohorts as (
    select distinct course_id, policy_code, vendor_id, completed_date
    from events
),

trained_rows as (
    select
        events.course_id,
        events.vendor_id,
        events.completed_date,
        decisions.moderator_id,
        'trained' as study_group,
        case when decisions.decision_date < events.started_date then 'before' else 'after' end as period,
        {%- for column in decision_sums %}
        decisions.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from events
    inner join decisions
        on decisions.moderator_id = events.moderator_id
        and (events.policy_code is null or decisions.decision_policy_code = events.policy_code)
        and ((decisions.decision_date >= {{ dbt.dateadd('day', -window_days, 'events.started_date') }}
              and decisions.decision_date < events.started_date)
             or (decisions.decision_date > events.completed_date
                 and decisions.decision_date <= {{ dbt.dateadd('day', window_days, 'events.completed_date') }}))
),

control_rows as (
    select
        cohorts.course_id,
        cohorts.vendor_id,
        cohorts.completed_date,
        decisions.moderator_id,
        'control' as study_group,
        case when decisions.decision_date < cohorts.completed_date then 'before' else 'after' end as period,
        {%- for column in decision_sums %}
        decisions.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from cohorts
    inner join decisions
        on decisions.vendor_id = cohorts.vendor_id
        and (cohorts.policy_code is null or decisions.decision_policy_code = cohorts.policy_code)
        and decisions.decision_date >= {{ dbt.dateadd('day', -window_days, 'cohorts.completed_date') }}
        and decisions.decision_date <= {{ dbt.dateadd('day', window_days, 'cohorts.completed_date') }}
        and decisions.decision_date <> cohorts.completed_date
    left join events as trained_by_then
        on trained_by_then.course_id = cohorts.course_id
        and trained_by_then.moderator_id = decisions.moderator_id
        and trained_by_then.completed_date <= {{ dbt.dateadd('day', window_days, 'cohorts.completed_date') }}
    where trained_by_then.training_id is null
),

stacked as (
    select * from trained_rows
    union all
    select * from control_rows
),

-- One row per moderator of a cohort's group and period, with the sums every estimate below is linear in
-- (the rates, their variances and the moderators' scores).
stacked_moderators as (
    select
        course_id,
        vendor_id,
        completed_date,
        moderator_id,
        study_group,
        period,
        {%- for column in decision_sums %}
        sum({{ column }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from stacked
    group by course_id, vendor_id, completed_date, moderator_id, study_group, period
),

cohort_weights as (
    select
        course_id,
        vendor_id,
        completed_date,
        period,
        sum(case when study_group = 'trained' then sum_w else 0 end) as trained_sum_w,
        sum(case when study_group = 'control' then sum_w else 0 end) as control_sum_w
    from stacked_moderators
    group by course_id, vendor_id, completed_date, period
),

-- A row's analysis weight is k × its sampling weight, k = 1 for the trained and the cohort's
-- trained/control ratio for the controls (0 without controls' weight); sums of it scale by k (k² for
-- the squared weights). positive_rows: the rows with a positive analysis weight.
reweighted as (
    select
        stacked_moderators.*,
        case when stacked_moderators.study_group = 'trained' then cast(1 as double)
             when cohort_weights.control_sum_w > 0 then cohort_weights.trained_sum_w / cohort_weights.control_sum_w
             else cast(0 as double) end as k
    from stacked_moderators
    inner join cohort_weights
        on stacked_moderators.course_id = cohort_weights.course_id
        and stacked_moderators.vendor_id = cohort_weights.vendor_id
        and stacked_moderators.completed_date = cohort_weights.completed_date
        and stacked_moderators.period = cohort_weights.period
),

analysis_sums as (
    select
        course_id,
        vendor_id,
        moderator_id,
        study_group,
        period,
        in_sample,
        case when k > 0 then weighted_rows else 0 end as positive_rows,
        k * sum_w as sum_w,
        k * k * sum_w2 as sum_w2,
        k * errors_w as errors_w,
        k * k * errors_w2 as errors_w2
    from reweighted
),

scoped as (
    select * from analysis_sums
    union all
    select course_id, 'all' as vendor_id, moderator_id, study_group, period, in_sample, positive_rows, sum_w, sum_w2,
           errors_w, errors_w2
    from analysis_sums
),

cells as (
    select
        course_id,
        vendor_id,
        study_group,
        period,
        sum(in_sample) as in_sample,
        count(distinct moderator_id) as moderators,
        sum(sum_w) as sum_w,
        sum(sum_w2) as sum_w2,
        sum(errors_w) as errors_w,
        sum(errors_w2) as errors_w2
    from scoped
    group by course_id, vendor_id, study_group, period
),

cell_rates as (
    select
        cells.*,
        {{ safe_divide('errors_w', 'sum_w') }} as error_rate,
        case
            when study_group = 'trained' and period = 'after' then 1
            when study_group = 'trained' and period = 'before' then -1
            when study_group = 'control' and period = 'after' then -1
            when study_group = 'control' and period = 'before' then 1
        end as did_sign,
        case when study_group = 'trained' then (case when period = 'after' then 1 else -1 end) else 0 end
            as naive_sign
    from cells
),

-- z_m: Σ over the moderator's rows of c w (y − R) / Σw = c (Σw·y − R Σw) / Σw per cell.
moderator_scores as (
    select
        scoped.course_id,
        scoped.vendor_id,
        scoped.moderator_id,
        sum(cell_rates.did_sign * (scoped.errors_w - cell_rates.error_rate * scoped.sum_w) / cell_rates.sum_w)
            as did_score,
        sum(cell_rates.naive_sign * (scoped.errors_w - cell_rates.error_rate * scoped.sum_w) / cell_rates.sum_w)
            as naive_score
    from scoped
    inner join cell_rates
        on scoped.course_id = cell_rates.course_id
        and scoped.vendor_id = cell_rates.vendor_id
        and scoped.study_group = cell_rates.study_group
        and scoped.period = cell_rates.period
    where cell_rates.sum_w > 0 and scoped.positive_rows > 0
    group by scoped.course_id, scoped.vendor_id, scoped.moderator_id
),

variances as (
    select
        course_id,
        vendor_id,
        count(*) as clusters,
        sum(did_score * did_score) as did_score_squares,
        sum(naive_score * naive_score) as naive_score_squares
    from moderator_scores
    group by course_id, vendor_id
),

pivoted as (
    select
        course_id,
        vendor_id,
        {% for group in ['trained', 'control'] %}{% for period in ['before', 'after'] %}
        sum(case when study_group = '{{ group }}' and period = '{{ period }}' then in_sample else 0 end)
            as {{ group }}_{{ period }}_in_sample,
        sum(case when study_group = '{{ group }}' and period = '{{ period }}' then moderators else 0 end)
            as {{ group }}_{{ period }}_moderators,
        sum(case when study_group = '{{ group }}' and period = '{{ period }}' then sum_w else 0 end)
            as {{ group }}_{{ period }}_sum_w,
        sum(case when study_group = '{{ group }}' and period = '{{ period }}' then sum_w2 else 0 end)
            as {{ group }}_{{ period }}_sum_w2,
        sum(case when study_group = '{{ group }}' and period = '{{ period }}' then errors_w else 0 end)
            as {{ group }}_{{ period }}_errors_w,
        sum(case when study_group = '{{ group }}' and period = '{{ period }}' then errors_w2 else 0 end)
            as {{ group }}_{{ period }}_errors_w2,
        max(case when study_group = '{{ group }}' and period = '{{ period }}' then error_rate end)
            as {{ group }}_{{ period }}_error_rate,
        {% endfor %}{% endfor %}
        count(*) as cell_count
    from cell_rates
    group by course_id, vendor_id
),

estimates as (
    select
        pivoted.*,
        variances.clusters,
        pivoted.trained_after_error_rate - pivoted.trained_before_error_rate as naive_difference,
        (pivoted.trained_after_error_rate - pivoted.trained_before_error_rate)
            - (pivoted.control_after_error_rate - pivoted.control_before_error_rate) as did_estimate,
        case when variances.clusters > 1
             then variances.clusters / (variances.clusters - 1.0) * variances.naive_score_squares end
            as naive_variance,
        case when variances.clusters > 1
             then variances.clusters / (variances.clusters - 1.0) * variances.did_score_squares end
            as did_variance,
        {{ student_t_quantile('variances.clusters - 1') }} as t_quantile
    from pivoted
    inner join variances on pivoted.course_id = variances.course_id and pivoted.vendor_id = variances.vendor_id
),

courses as (
    select * from {{ ref('stg_reference__courses') }}
),

{%- set is_sufficient -%}
    (estimates.clusters >= {{ var('training_effect_min_moderators') }}
     and least(estimates.trained_before_in_sample, estimates.trained_after_in_sample,
               estimates.control_before_in_sample, estimates.control_after_in_sample)
         >= {{ var('min_effective_sample_size') }})
{%- endset %}
-- Too few moderators or audited decisions in any cell: the estimates are withheld (null), not shown with
-- an interval that cannot be trusted (is_sufficient_sample says which).
final as (
    select
        estimates.course_id,
        estimates.vendor_id,
        courses.course_name,
        courses.course_type,
        courses.policy_code,
        courses.course_type = 'remedial' as is_performance_assigned,
        cast(estimates.clusters as bigint) as moderators,
        cast(estimates.trained_before_moderators as bigint) as trained_before_moderators,
        cast(estimates.trained_after_moderators as bigint) as trained_after_moderators,
        cast(estimates.control_before_moderators as bigint) as control_before_moderators,
        cast(estimates.control_after_moderators as bigint) as control_after_moderators,
        cast(estimates.trained_before_in_sample as bigint) as trained_before_in_sample,
        cast(estimates.trained_after_in_sample as bigint) as trained_after_in_sample,
        cast(estimates.control_before_in_sample as bigint) as control_before_in_sample,
        cast(estimates.control_after_in_sample as bigint) as control_after_in_sample,
        {% for group in ['trained', 'control'] %}{% for period in ['before', 'after'] %}
        cast(estimates.{{ group }}_{{ period }}_sum_w as double) as {{ group }}_{{ period }}_sum_w,
        cast(estimates.{{ group }}_{{ period }}_sum_w2 as double) as {{ group }}_{{ period }}_sum_w2,
        cast(estimates.{{ group }}_{{ period }}_errors_w as double) as {{ group }}_{{ period }}_weighted_errors,
        cast(estimates.{{ group }}_{{ period }}_errors_w2 as double) as {{ group }}_{{ period }}_squared_weight_errors,
        estimates.{{ group }}_{{ period }}_error_rate,
        {% if group == 'trained' %}
        {% set n_star = weighted_rate_sample_size('estimates.' ~ group ~ '_' ~ period ~ '_errors_w',
                                                  'estimates.' ~ group ~ '_' ~ period ~ '_errors_w2',
                                                  'estimates.' ~ group ~ '_' ~ period ~ '_sum_w',
                                                  'estimates.' ~ group ~ '_' ~ period ~ '_sum_w2',
                                                  'estimates.' ~ group ~ '_' ~ period ~ '_in_sample') %}
        {{ wilson_bound('estimates.' ~ group ~ '_' ~ period ~ '_error_rate', n_star, 'low') }}
            as {{ group }}_{{ period }}_error_rate_ci_low,
        {{ wilson_bound('estimates.' ~ group ~ '_' ~ period ~ '_error_rate', n_star, 'high') }}
            as {{ group }}_{{ period }}_error_rate_ci_high,
        {% endif %}
        {% endfor %}{% endfor %}
        case when {{ is_sufficient }} then estimates.naive_difference end as naive_difference,
        case when {{ is_sufficient }}
            then estimates.naive_difference - estimates.t_quantile * sqrt(estimates.naive_variance) end
            as naive_difference_low,
        case when {{ is_sufficient }}
            then estimates.naive_difference + estimates.t_quantile * sqrt(estimates.naive_variance) end
            as naive_difference_high,
        case when {{ is_sufficient }} then estimates.did_estimate end as did_estimate,
        case when {{ is_sufficient }} then estimates.did_estimate - estimates.t_quantile * sqrt(estimates.did_variance) end
            as did_low,
        case when {{ is_sufficient }} then estimates.did_estimate + estimates.t_quantile * sqrt(estimates.did_variance) end
            as did_high,
        case when {{ is_sufficient }} then
            {{ safe_divide('estimates.did_estimate', 'estimates.trained_after_error_rate - estimates.did_estimate') }}
        end as did_relative_effect,
        {{ is_sufficient }} as is_sufficient_sample
    from estimates
    inner join courses on estimates.course_id = courses.course_id
)

select * from final
