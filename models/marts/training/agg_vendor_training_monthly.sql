-- Training bought vs quality delivered, per month × vendor: the training minutes of the vendor's
-- moderator shifts (fct_shifts.training_minutes, what the vendor bills) beside their logged-in minutes,
-- the trainings its moderators completed, and the weighted (population) accuracy of the vendor's human
-- in-sample decisions that month with its design-based Wilson interval (Korn–Graubard n*, macro
-- weighted_rate_sample_size). Additive parts are kept so any roll-up recomputes the rates.
with shifts as (
    select
        {{ first_day_of_month('shift_date') }} as month_start_date,
        vendor_id,
        sum(training_minutes) as training_minutes,
        sum(logged_in_minutes) as logged_in_minutes,
        count(distinct person_id) as moderators
    from {{ ref('fct_shifts') }}
    where role = 'moderator' and vendor_id is not null
    group by 1, 2
),

completions as (
    select
        {{ first_day_of_month('completed_date') }} as month_start_date,
        vendor_id,
        count(*) as trainings_completed
    from {{ ref('fct_trainings') }}
    where is_completed and vendor_id is not null
    group by 1, 2
),

quality as (
    select
        {{ first_day_of_month('decision_date') }} as month_start_date,
        vendor_id,
        count(*) as in_sample,
        sum(sampling_weight) as sum_w,
        sum(sampling_weight * sampling_weight) as sum_w2,
        sum(case when is_correct then sampling_weight else 0 end) as correct_w,
        sum(case when is_correct then sampling_weight * sampling_weight else 0 end) as correct_w2
    from {{ ref('fct_decisions') }}
    where is_in_sample and not is_automated
    group by 1, 2
),

joined as (
    select
        shifts.month_start_date,
        shifts.vendor_id,
        shifts.moderators,
        shifts.training_minutes,
        shifts.logged_in_minutes,
        coalesce(completions.trainings_completed, 0) as trainings_completed,
        coalesce(quality.in_sample, 0) as in_sample,
        coalesce(quality.sum_w, 0) as sum_w,
        coalesce(quality.sum_w2, 0) as sum_w2,
        coalesce(quality.correct_w, 0) as correct_w,
        coalesce(quality.correct_w2, 0) as correct_w2,
        {{ safe_divide('quality.correct_w', 'quality.sum_w') }} as weighted_accuracy,
        {{ weighted_rate_sample_size('quality.correct_w', 'quality.correct_w2', 'quality.sum_w', 'quality.sum_w2',
                                     'quality.in_sample') }} as design_effective_sample_size
    from shifts
    left join completions
        on shifts.month_start_date = completions.month_start_date and shifts.vendor_id = completions.vendor_id
    left join quality
        on shifts.month_start_date = quality.month_start_date and shifts.vendor_id = quality.vendor_id
),

final as (
    select
        month_start_date,
        vendor_id,
        cast(moderators as bigint) as moderators,
        cast(training_minutes as bigint) as training_minutes,
        cast(logged_in_minutes as bigint) as logged_in_minutes,
        {{ safe_divide('training_minutes', 'logged_in_minutes') }} as training_share,
        {{ safe_divide('training_minutes', 'moderators * 60') }} as training_hours_per_moderator,
        cast(trainings_completed as bigint) as trainings_completed,
        cast(in_sample as bigint) as in_sample,
        cast(sum_w as double) as sum_w,
        cast(sum_w2 as double) as sum_w2,
        cast(correct_w as double) as weighted_correct,
        cast(correct_w2 as double) as squared_weight_correct,
        weighted_accuracy,
        {{ wilson_bound('weighted_accuracy', 'design_effective_sample_size', 'low') }} as weighted_accuracy_ci_low,
        {{ wilson_bound('weighted_accuracy', 'design_effective_sample_size', 'high') }} as weighted_accuracy_ci_high,
        cast(design_effective_sample_size as double) as design_effective_sample_size
    from joined
)

select * from final
