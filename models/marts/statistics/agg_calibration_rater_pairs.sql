-- Agreement of every pair of raters in a calibration session (the expert included, flagged), on the
-- items both labelled, on the verdict and on the full label: percent agreement P_o and Cohen's
-- κ = (P_o − P_e) / (1 − P_e) with P_e = Σ_c (a_c / n)(b_c / n), a_c and b_c the two raters' counts
-- of category c over the n common items. The pair is ordered: rater_id < other_rater_id.
with scaled as (
    select * from {{ ref('int_calibration_labels_scaled') }}
),

pair_items as (
    select
        rater.session_id,
        rater.agreement_scale,
        rater.rater_id,
        other.rater_id as other_rater_id,
        rater.is_expert or other.is_expert as involves_expert,
        rater.item_id,
        rater.category as rater_category,
        other.category as other_category
    from scaled as rater
    inner join scaled as other
        on rater.session_id = other.session_id
        and rater.agreement_scale = other.agreement_scale
        and rater.item_id = other.item_id
        and rater.rater_id < other.rater_id
),

observed as (
    select
        session_id,
        agreement_scale,
        rater_id,
        other_rater_id,
        max(involves_expert) as involves_expert,
        count(*) as common_items,
        sum(case when rater_category = other_category then 1 else 0 end) as agreements
    from pair_items
    group by session_id, agreement_scale, rater_id, other_rater_id
),

marginals as (
    select
        session_id,
        agreement_scale,
        rater_id,
        other_rater_id,
        category,
        sum(from_rater) as rater_count,
        sum(from_other) as other_count
    from (
        select session_id, agreement_scale, rater_id, other_rater_id, rater_category as category,
               1 as from_rater, 0 as from_other
        from pair_items
        union all
        select session_id, agreement_scale, rater_id, other_rater_id, other_category as category,
               0 as from_rater, 1 as from_other
        from pair_items
    ) as stacked
    group by session_id, agreement_scale, rater_id, other_rater_id, category
),

expected as (
    select
        session_id,
        agreement_scale,
        rater_id,
        other_rater_id,
        cast(sum(rater_count * other_count) as double) as marginal_products
    from marginals
    group by session_id, agreement_scale, rater_id, other_rater_id
),

kappas as (
    select
        observed.session_id,
        observed.agreement_scale,
        observed.rater_id,
        observed.other_rater_id,
        observed.involves_expert,
        observed.common_items,
        observed.agreements,
        cast(observed.agreements as double) / cast(observed.common_items as double) as percent_agreement,
        expected.marginal_products / (cast(observed.common_items as double) * cast(observed.common_items as double))
            as chance_agreement
    from observed
    inner join expected
        on observed.session_id = expected.session_id
        and observed.agreement_scale = expected.agreement_scale
        and observed.rater_id = expected.rater_id
        and observed.other_rater_id = expected.other_rater_id
),

final as (
    select
        session_id,
        rater_id,
        other_rater_id,
        max(involves_expert) as involves_expert,
        cast(max(case when agreement_scale = 'verdict' then common_items end) as bigint) as common_items,
        cast(max(case when agreement_scale = 'verdict' then agreements end) as bigint) as verdict_agreements,
        max(case when agreement_scale = 'verdict' then percent_agreement end) as percent_agreement,
        max(case when agreement_scale = 'verdict' then
            {{ chance_corrected_agreement('percent_agreement', 'chance_agreement') }} end) as cohens_kappa,
        cast(max(case when agreement_scale = 'label' then agreements end) as bigint) as label_agreements,
        max(case when agreement_scale = 'label' then percent_agreement end) as label_percent_agreement,
        max(case when agreement_scale = 'label' then
            {{ chance_corrected_agreement('percent_agreement', 'chance_agreement') }} end) as label_cohens_kappa
    from kappas
    group by session_id, rater_id, other_rater_id
)

select * from final
