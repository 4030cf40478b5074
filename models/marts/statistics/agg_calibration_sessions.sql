-- Agreement among a calibration session's raters (the expert excluded: the expert is the reference
-- that accuracy is scored against, not a panel member), on the verdict and on the full label, and
-- the panel's accuracy against the expert. Formulas (DESIGN §4 Agreement), per session and scale,
-- over the items at least two panel raters labelled, with n_i labels on item i and n_ic of them in
-- category c:
--   percent agreement P̄ = mean_i P_i, P_i = (Σ_c n_ic² − n_i) / (n_i (n_i − 1))  (share of agreeing
--   rater pairs on the item); Fleiss' κ = (P̄ − P̄_e) / (1 − P̄_e), P̄_e = Σ_c p_c², p_c = Σ_i n_ic / Σ_i n_i
--   (with the same raters on every item this is Fleiss 1971; items with fewer labels weigh the same);
--   Krippendorff's α (nominal) = 1 − (n − 1) Σ_i (n_i² − Σ_c n_ic²) / (n_i − 1) / (n² − Σ_c n_c²),
--   n = Σ_i n_i, n_c = Σ_i n_ic (the coincidence-matrix form, closed with sums).
with scaled as (
    select * from {{ ref('int_calibration_labels_scaled') }}
    where not is_expert
),

labels as (
    select * from {{ ref('fct_calibration_labels') }}
),

item_categories as (
    select session_id, agreement_scale, item_id, category, count(*) as category_labels
    from scaled
    group by session_id, agreement_scale, item_id, category
),

items as (
    select
        session_id,
        agreement_scale,
        item_id,
        cast(sum(category_labels) as double) as item_labels,
        cast(sum(category_labels * category_labels) as double) as item_squared_category_labels
    from item_categories
    group by session_id, agreement_scale, item_id
),

pairable_items as (
    select
        items.*,
        (item_squared_category_labels - item_labels) / (item_labels * (item_labels - 1)) as item_agreement,
        (item_labels * item_labels - item_squared_category_labels) / (item_labels - 1) as item_disagreement
    from items
    where item_labels >= 2
),

category_totals as (
    select
        item_categories.session_id,
        item_categories.agreement_scale,
        item_categories.category,
        cast(sum(item_categories.category_labels) as double) as category_labels
    from item_categories
    inner join pairable_items
        on item_categories.session_id = pairable_items.session_id
        and item_categories.agreement_scale = pairable_items.agreement_scale
        and item_categories.item_id = pairable_items.item_id
    group by item_categories.session_id, item_categories.agreement_scale, item_categories.category
),

category_sums as (
    select
        session_id,
        agreement_scale,
        sum(category_labels) as pairable_labels,
        sum(category_labels * category_labels) as squared_category_labels
    from category_totals
    group by session_id, agreement_scale
),

item_sums as (
    select
        session_id,
        agreement_scale,
        count(*) as pairable_items,
        avg(item_agreement) as percent_agreement,
        sum(item_disagreement) as disagreement
    from pairable_items
    group by session_id, agreement_scale
),

agreement as (
    select
        item_sums.session_id,
        item_sums.agreement_scale,
        item_sums.pairable_items,
        item_sums.percent_agreement,
        category_sums.squared_category_labels / (category_sums.pairable_labels * category_sums.pairable_labels)
            as chance_agreement,
        case when category_sums.pairable_labels * category_sums.pairable_labels
                  = category_sums.squared_category_labels then null
             else 1 - (category_sums.pairable_labels - 1) * item_sums.disagreement
                      / (category_sums.pairable_labels * category_sums.pairable_labels
                         - category_sums.squared_category_labels)
        end as krippendorff_alpha
    from item_sums
    inner join category_sums
        on item_sums.session_id = category_sums.session_id
        and item_sums.agreement_scale = category_sums.agreement_scale
),

agreement_by_session as (
    select
        session_id,
        cast(max(case when agreement_scale = 'verdict' then pairable_items end) as bigint) as pairable_items,
        max(case when agreement_scale = 'verdict' then percent_agreement end) as percent_agreement,
        max(case when agreement_scale = 'verdict' then
            {{ chance_corrected_agreement('percent_agreement', 'chance_agreement') }} end) as fleiss_kappa,
        max(case when agreement_scale = 'verdict' then krippendorff_alpha end) as krippendorff_alpha,
        max(case when agreement_scale = 'label' then percent_agreement end) as label_percent_agreement,
        max(case when agreement_scale = 'label' then
            {{ chance_corrected_agreement('percent_agreement', 'chance_agreement') }} end) as label_fleiss_kappa,
        max(case when agreement_scale = 'label' then krippendorff_alpha end) as label_krippendorff_alpha
    from agreement
    group by session_id
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

final as (
    select
        sessions.session_id,
        sessions.session_date,
        sessions.vendor_id,
        cast(sessions.raters as bigint) as raters,
        sessions.expert_raters > 0 as has_expert,
        cast(sessions.items as bigint) as items,
        cast(sessions.panel_labels as bigint) as panel_labels,
        cast(coalesce(agreement_by_session.pairable_items, 0) as bigint) as pairable_items,
        agreement_by_session.percent_agreement,
        agreement_by_session.fleiss_kappa,
        agreement_by_session.krippendorff_alpha,
        agreement_by_session.label_percent_agreement,
        agreement_by_session.label_fleiss_kappa,
        agreement_by_session.label_krippendorff_alpha,
        cast(sessions.labels_scored as bigint) as labels_scored,
        cast(sessions.labels_matching_expert_verdict as bigint) as labels_matching_expert_verdict,
        {{ safe_divide('sessions.labels_matching_expert_verdict', 'sessions.labels_scored') }}
            as expert_verdict_accuracy,
        {{ wilson_bound(safe_divide('sessions.labels_matching_expert_verdict', 'sessions.labels_scored'),
                        'sessions.labels_scored', 'low') }} as expert_verdict_accuracy_ci_low,
        {{ wilson_bound(safe_divide('sessions.labels_matching_expert_verdict', 'sessions.labels_scored'),
                        'sessions.labels_scored', 'high') }} as expert_verdict_accuracy_ci_high,
        cast(sessions.labels_matching_expert_label as bigint) as labels_matching_expert_label,
        {{ safe_divide('sessions.labels_matching_expert_label', 'sessions.labels_scored') }}
            as expert_label_accuracy,
        accuracy_spread.min_rater_verdict_accuracy,
        accuracy_spread.max_rater_verdict_accuracy
    from sessions
    left join agreement_by_session on sessions.session_id = agreement_by_session.session_id
    left join accuracy_spread on sessions.session_id = accuracy_spread.session_id
)

select * from final
