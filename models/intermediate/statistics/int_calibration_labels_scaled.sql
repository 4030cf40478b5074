-- Every calibration label on both nominal scales agreement is measured on: `verdict` (approve /
-- reject) and `label` (the full label: `approve`, or the policy code of a rejection). One row per
-- label and scale; the category is the label's value on that scale.
with labels as (
    select
        session_id,
        item_id,
        rater_id,
        is_expert,
        verdict,
        policy_code
    from {{ ref('fct_calibration_labels') }}
),

scaled as (
    select session_id, item_id, rater_id, is_expert, 'verdict' as agreement_scale, verdict as category
    from labels
    union all
    select
        session_id,
        item_id,
        rater_id,
        is_expert,
        'label' as agreement_scale,
        case when verdict = 'reject' then coalesce(policy_code, 'UNSPECIFIED') else 'approve' end as category
    from labels
),

final as (
    select
        session_id,
        item_id,
        rater_id,
        is_expert,
        agreement_scale,
        category
    from scaled
)

select * from final
