-- Agreement among a calibration session's raters (the expert excluded: the expert is the reference
-- that accuracy is scored against, not a panel member), on the verdict and on the full label, with
-- uncertainty, and the panel's accuracy against the expert. Per session:
--   percent agreement, Fleiss' κ and Krippendorff's α (nominal): int_calibration_agreement_replicates,
--   replicate 0; their 95 % intervals are the 2.5th and 97.5th percentiles (linear interpolation) of
--   the item-level bootstrap replicates 1 … calibration_bootstrap_replicates (seeded, hash-based
--   draws: the same on every run and engine); replicates where the statistic is undefined (every
--   label in one category) are left out.
--   PABAK (verdict) = 2 P̄ − 1 (Byrt, Bishop & Carlin 1993: κ with chance agreement fixed at 1/2) and
--   Gwet's AC1 (verdict) = (P̄ − P_e) / (1 − P_e), P_e = 2 π (1 − π), π = the mean over items with a
--   panel label of the share of their panel labels that reject (Gwet 2008). Both stay meaningful when
--   one verdict dominates, where κ collapses (the prevalence paradox: high agreement, κ near 0).
--   Panel accuracy against the expert: matching / scored labels, with a Wilson interval on the
--   design-based effective size of the ratio clustered by item (labels on the same item are not
--   independent): Korn–Graubard n* from the with-replacement cluster variance, df = items − 1.
--   is_latest_session_for_vendor: the vendor's most recent session (session_date, then session_id).
with labels as (
    select * from {{ ref('fct_calibration_labels') }}
),

replicates as (
    select * from {{ ref('int_calibration_agreement_replicates') }}
),

point_estimates as (
    select
        session_id,
        max(case when agreement_scale = 'verdict' then percent_agreement end) as percent_agreement,
        max(case when agreement_scale = 'verdict' then fleiss_kappa end) as fleiss_kappa,
        max(case when agreement_scale = 'verdict' then krippendorff_alpha end) as krippendorff_alpha,
        max(case when agreement_scale = 'label' then percent_agreement end) as label_percent_agreement,
        max(case when agreement_scale = 'label' then fleiss_kappa end) as label_fleiss_kappa,
        max(case when agreement_scale = 'label' then krippendorff_alpha end) as label_krippendorff_alpha
    from replicates
    where replicate = 0
    group by session_id
),

bootstrap_bounds as (
    select
        session_id,
        agreement_scale,
        -- 95 % percentile interval (the confidence of confidence_z's default)
        {{ percentile_continuous('fleiss_kappa', 0.025) }} as fleiss_kappa_ci_lower,
        {{ percentile_continuous('fleiss_kappa', 0.975) }} as fleiss_kappa_ci_upper,
        {{ percentile_continuous('krippendorff_alpha', 0.025) }} as krippendorff_alpha_ci_lower,
        {{ percentile_continuous('krippendorff_alpha', 0.975) }} as krippendorff_alpha_ci_upper
    from replicates
    where replicate > 0
    group by session_id, agreement_scale
),

bounds_by_session as (
    select
        session_id,
        max(case when agreement_scale = 'verdict' then fleiss_kappa_ci_lower end) as fleiss_kappa_ci_lower,
        max(case when agreement_scale = 'verdict' then fleiss_kappa_ci_upper end) as fleiss_kappa_ci_upper,
        max(case when agreement_scale = 'verdict' then krippendorff_alpha_ci_lower end) as krippendorff_alpha_ci_lower,
        max(case when agreement_scale = 'verdict' then krippendorff_alpha_ci_upper end) as krippendorff_alpha_ci_upper,
        max(case when agreement_scale = 'label' then fleiss_kappa_ci_lower end) as label_fleiss_kappa_ci_lower,
        max(case when agreement_scale = 'label' then fleiss_kappa_ci_upper end) as label_fleiss_kappa_ci_upper,
        max(case when agreement_scale = 'label' then krippendorff_alpha_ci_lower end)
            as label_krippendorff_alpha_ci_lower,
        max(case when agreement_scale = 'label' then krippendorff_alpha_ci_upper end)
            as label_krippendorff_alpha_ci_upper
    from bootstrap_bounds
    group by session_id
),

panel_items as (
    select
        session_id,
        item_id,
        count(*) as item_labels,
        sum(case when verdict = 'reject' then 1 else 0 end) as item_rejects
    from labels
    where not is_expert
    group by session_id, item_id
),

pairable_items as (
    select session_id, count(*) as pairable_items
    from panel_items
    where item_labels >= 2
    group by session_id
),

reject_prevalence as (
    select
        session_id,
        avg(cast(item_rejects as double) / cast(item_labels as double)) as panel_reject_share
    from panel_items
    group by session_id
),

scored_items as (
    select
        session_id,
        item_id,
        sum(case when not is_expert and expert_verdict is not null then 1 else 0 end) as scored,
        sum(case when not is_expert and matches_expert_verdict then 1 else 0 end) as matching
    from labels
    group by session_id, item_id
),

clustered_sums as (
    select
        session_id,
        sum(case when scored > 0 then 1 else 0 end) as scored_items,
        cast(sum(matching) as double) as sum_matching,
        cast(sum(scored) as double) as sum_scored,
        cast(sum(matching * matching) as double) as sum_squared_matching,
        cast(sum(matching * scored) as double) as sum_matching_scored,
        cast(sum(scored * scored) as double) as sum_squared_scored
    from scored_items
    group by session_id
),

clustered_accuracy as (
    select
        session_id,
        scored_items,
        {{ design_effective_sample_size(
            safe_divide('sum_matching', 'sum_scored'),
            clustered_ratio_variance('sum_matching', 'sum_scored', 'sum_squared_matching', 'sum_matching_scored',
                                     'sum_squared_scored', 'scored_items'),
            'sum_scored', units='scored_items') }} as expert_verdict_accuracy_effective_sample_size
    from clustered_sums
),

rater_accuracy as (
    select
        session_id,
        rater_id,
        {{ safe_divide('sum(case when matches_expert_verdict then 1 else 0 end)',
                       'sum(case when expert_verdict is not null then 1 else 0 end)') }} as verdict_accuracy
    from labels
    where not is_expert
    group by session_id, rater_id
),

accuracy_spread as (
    select
        session_id,
        min(verdict_accuracy) as min_rater_verdict_accuracy,
        max(verdict_accuracy) as max_rater_verdict_accuracy
    from rater_accuracy
    group by session_id
),

sessions as (
    select
        session_id,
        min(session_date) as session_date,
        case when count(distinct case when not is_expert then rater_vendor_id end) = 1
                  and sum(case when not is_expert and rater_vendor_id is null then 1 else 0 end) = 0
             then max(case when not is_expert then rater_vendor_id end) end as vendor_id,
        count(distinct case when not is_expert then rater_id end) as raters,
        count(distinct case when is_expert then rater_id end) as expert_raters,
        count(distinct item_id) as items,
        sum(case when is_expert then 0 else 1 end) as panel_labels,
        sum(case when not is_expert and expert_verdict is not null then 1 else 0 end) as labels_scored,
        sum(case when not is_expert and matches_expert_verdict then 1 else 0 end) as labels_matching_expert_verdict,
        sum(case when not is_expert and matches_expert_label then 1 else 0 end) as labels_matching_expert_label
    from labels
    group by session_id
),

latest as (
    select
        session_id,
        vendor_id is not null
            and row_number() over (partition by vendor_id order by session_date desc, session_id desc) = 1
            as is_latest_session_for_vendor
    from sessions
),

joined as (
    select
        sessions.*,
        latest.is_latest_session_for_vendor,
        coalesce(pairable_items.pairable_items, 0) as pairable_items,
        point_estimates.percent_agreement,
        point_estimates.fleiss_kappa,
        point_estimates.krippendorff_alpha,
        point_estimates.label_percent_agreement,
        point_estimates.label_fleiss_kappa,
        point_estimates.label_krippendorff_alpha,
        bounds_by_session.fleiss_kappa_ci_lower,
        bounds_by_session.fleiss_kappa_ci_upper,
        bounds_by_session.krippendorff_alpha_ci_lower,
        bounds_by_session.krippendorff_alpha_ci_upper,
        bounds_by_session.label_fleiss_kappa_ci_lower,
        bounds_by_session.label_fleiss_kappa_ci_upper,
        bounds_by_session.label_krippendorff_alpha_ci_lower,
        bounds_by_session.label_krippendorff_alpha_ci_upper,
        case when point_estimates.percent_agreement is not null
             then 2 * reject_prevalence.panel_reject_share * (1 - reject_prevalence.panel_reject_share)
        end as gwet_chance_agreement,
        clustered_accuracy.scored_items,
        clustered_accuracy.expert_verdict_accuracy_effective_sample_size,
        accuracy_spread.min_rater_verdict_accuracy,
        accuracy_spread.max_rater_verdict_accuracy
    from sessions
    inner join latest on sessions.session_id = latest.session_id
    left join pairable_items on sessions.session_id = pairable_items.session_id
    left join point_estimates on sessions.session_id = point_estimates.session_id
    left join bounds_by_session on sessions.session_id = bounds_by_session.session_id
    left join reject_prevalence on sessions.session_id = reject_prevalence.session_id
    left join clustered_accuracy on sessions.session_id = clustered_accuracy.session_id
    left join accuracy_spread on sessions.session_id = accuracy_spread.session_id
),

final as (
    select
        session_id,
        session_date,
        vendor_id,
        is_latest_session_for_vendor,
        cast(raters as bigint) as raters,
        expert_raters > 0 as has_expert,
        cast(items as bigint) as items,
        cast(panel_labels as bigint) as panel_labels,
        cast(pairable_items as bigint) as pairable_items,
        percent_agreement,
        fleiss_kappa,
        fleiss_kappa_ci_lower,
        fleiss_kappa_ci_upper,
        krippendorff_alpha,
        krippendorff_alpha_ci_lower,
        krippendorff_alpha_ci_upper,
        2 * percent_agreement - 1 as prevalence_adjusted_kappa,
        {{ chance_corrected_agreement('percent_agreement', 'gwet_chance_agreement') }} as gwet_ac1,
        label_percent_agreement,
        label_fleiss_kappa,
        label_fleiss_kappa_ci_lower,
        label_fleiss_kappa_ci_upper,
        label_krippendorff_alpha,
        label_krippendorff_alpha_ci_lower,
        label_krippendorff_alpha_ci_upper,
        cast(labels_scored as bigint) as labels_scored,
        cast(labels_matching_expert_verdict as bigint) as labels_matching_expert_verdict,
        {{ safe_divide('labels_matching_expert_verdict', 'labels_scored') }} as expert_verdict_accuracy,
        cast(scored_items as bigint) as scored_items,
        expert_verdict_accuracy_effective_sample_size,
        {{ wilson_bound(safe_divide('labels_matching_expert_verdict', 'labels_scored'),
                        'expert_verdict_accuracy_effective_sample_size', 'low') }} as expert_verdict_accuracy_ci_low,
        {{ wilson_bound(safe_divide('labels_matching_expert_verdict', 'labels_scored'),
                        'expert_verdict_accuracy_effective_sample_size', 'high') }} as expert_verdict_accuracy_ci_high,
        cast(labels_matching_expert_label as bigint) as labels_matching_expert_label,
        {{ safe_divide('labels_matching_expert_label', 'labels_scored') }} as expert_label_accuracy,
        min_rater_verdict_accuracy,
        max_rater_verdict_accuracy
    from joined
)

select * from final
