{%- set baseline_start = var('control_chart_baseline_start_date') -%}
{%- set baseline_days = var('control_chart_baseline_days') -%}
{%- set odds_ratio = 'cast(' ~ var('control_chart_shift_odds_ratio') ~ ' as double)' -%}
{%- set chart = 'chart_scope_type, scope_value, metric' -%}
-- Bernoulli CUSUM charts of the audited error rate, false-positive rate and false-negative rate per
-- vendor and per queue (unweighted in-sample decisions: the chart watches the audited process, and a
-- binomial CUSUM needs counts). For each chart and day with trials (a point):
--   trials / events: error_rate = in-sample decisions / FP + FN; false_positive_rate = FP + TN / FP;
--   false_negative_rate = FN + TP / FN.
--   Frozen reference p0: the chart's baseline period, from control_chart_baseline_start_date (null: the
--   chart's first day) for control_chart_baseline_days days - never a trailing window, so a shift is
--   not absorbed: p0 = (x + 1/2) / (n + 1) + control_chart_baseline_margin_se · sqrt(p(1 − p) / n),
--   the Jeffreys estimate (never 0 on a zero-error baseline) plus a margin against a baseline that
--   happens to run low. NULL (no chart) without baseline trials.
--   Increment W_t = x_t ln r − n_t ln(1 − p0 + r p0) (macro bernoulli_cusum_increment): the
--   log-likelihood ratio of the day for odds ratio r = control_chart_shift_odds_ratio against p0.
--   CUSUM S_t = max(0, S_{t−1} + W_t) from the chart's first point (macro lindley_cusum); out of
--   control while S_t > h = control_chart_threshold. Upper-sided: it watches for deterioration.
--   Promise (tests/test_decision_grade.py, seeded simulations through this SQL): at ~20 audits per
--   vendor-day, at most 1 % of in-control chart-days flagged, and a quadrupled false-positive rate
--   flagged within 10 days in at least 90 % of charts (defaults: odds ratio 3, margin 1 SE, h = ln 60;
--   with a known p0, Ville's inequality alone bounds the flagged share by exp(−h)).
with daily as (
    select
        decision_date,
        vendor_id,
        queue_id,
        in_sample,
        true_positives,
        false_positives,
        false_negatives,
        true_negatives
    from {{ ref('agg_quality_daily') }}
),

scoped as (
    select 'vendor' as chart_scope_type, vendor_id as scope_value, daily.* from daily
    union all
    select 'queue' as chart_scope_type, queue_id as scope_value, daily.* from daily
),

scope_days as (
    select
        chart_scope_type,
        scope_value,
        decision_date,
        sum(in_sample) as in_sample,
        sum(false_positives + false_negatives) as errors,
        sum(false_positives + true_negatives) as negatives,
        sum(false_positives) as false_positives,
        sum(false_negatives + true_positives) as positives,
        sum(false_negatives) as false_negatives
    from scoped
    group by chart_scope_type, scope_value, decision_date
),

metric_days as (
    select chart_scope_type, scope_value, 'error_rate' as metric, decision_date,
           in_sample as trials, errors as events
    from scope_days
    union all
    select chart_scope_type, scope_value, 'false_positive_rate', decision_date, negatives, false_positives
    from scope_days
    union all
    select chart_scope_type, scope_value, 'false_negative_rate', decision_date, positives, false_negatives
    from scope_days
),

points as (
    select * from metric_days where trials > 0
),

baseline_periods as (
    select
        chart_scope_type,
        scope_value,
        metric,
        {%- if baseline_start is not none %}
        cast('{{ baseline_start }}' as date) as baseline_start_date
        {%- else %}
        min(decision_date) as baseline_start_date
        {%- endif %}
    from points
    group by chart_scope_type, scope_value, metric
),

baselines as (
    select
        baseline_periods.chart_scope_type,
        baseline_periods.scope_value,
        baseline_periods.metric,
        baseline_periods.baseline_start_date,
        cast({{ dbt.dateadd('day', baseline_days - 1, 'baseline_periods.baseline_start_date') }} as date)
            as baseline_end_date,
        cast(coalesce(sum(points.trials), 0) as bigint) as baseline_trials,
        cast(coalesce(sum(points.events), 0) as bigint) as baseline_events
    from baseline_periods
    left join points
        on baseline_periods.chart_scope_type = points.chart_scope_type
        and baseline_periods.scope_value = points.scope_value
        and baseline_periods.metric = points.metric
        and points.decision_date >= baseline_periods.baseline_start_date
        and points.decision_date <= cast({{ dbt.dateadd('day', baseline_days - 1, 'baseline_periods.baseline_start_date') }} as date)
    group by
        baseline_periods.chart_scope_type,
        baseline_periods.scope_value,
        baseline_periods.metric,
        baseline_periods.baseline_start_date
),

estimated as (
    select
        baselines.*,
        (cast(baseline_events as double) + 0.5) / (cast(baseline_trials as double) + 1) as jeffreys_rate
    from baselines
),

reference_rates as (
    select
        estimated.*,
        case when baseline_trials > 0 then least(cast(0.999999 as double),
                  jeffreys_rate + cast({{ var('control_chart_baseline_margin_se') }} as double)
                                  * sqrt(jeffreys_rate * (1 - jeffreys_rate) / cast(baseline_trials as double)))
        end as reference_rate
    from estimated
),

increments as (
    select
        points.chart_scope_type,
        points.scope_value,
        points.metric,
        points.decision_date,
        points.trials,
        points.events,
        reference_rates.baseline_start_date,
        reference_rates.baseline_end_date,
        reference_rates.baseline_trials,
        reference_rates.baseline_events,
        reference_rates.reference_rate,
        {{ odds_ratio }} * reference_rates.reference_rate
            / (1 - reference_rates.reference_rate + {{ odds_ratio }} * reference_rates.reference_rate) as shifted_rate,
        {{ bernoulli_cusum_increment('points.events', 'points.trials', 'reference_rates.reference_rate', odds_ratio) }}
            as log_likelihood_ratio
    from points
    inner join reference_rates
        on points.chart_scope_type = reference_rates.chart_scope_type
        and points.scope_value = reference_rates.scope_value
        and points.metric = reference_rates.metric
),

running as (
    select
        increments.*,
        {{ lindley_running_sum('log_likelihood_ratio', chart, 'decision_date') }} as cumulative_log_likelihood_ratio
    from increments
),

charted as (
    select
        running.*,
        {{ lindley_cusum('cumulative_log_likelihood_ratio', chart, 'decision_date') }} as cusum_statistic
    from running
),

final as (
    select
        chart_scope_type,
        scope_value,
        metric,
        decision_date,
        cast(trials as bigint) as trials,
        cast(events as bigint) as events,
        cast(events as double) / cast(trials as double) as observed_rate,
        baseline_start_date,
        baseline_end_date,
        decision_date <= baseline_end_date and decision_date >= baseline_start_date as is_baseline_period,
        baseline_trials,
        baseline_events,
        reference_rate,
        shifted_rate,
        log_likelihood_ratio,
        cusum_statistic,
        cast({{ var('control_chart_threshold') }} as double) as threshold,
        coalesce(cusum_statistic > cast({{ var('control_chart_threshold') }} as double), false) as is_out_of_control
    from charted
)

select * from final
