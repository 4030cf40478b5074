-- Each rater's label next to the session expert's label for the same item.
with labels as (
    select * from {{ ref('stg_landing__calibration_labels') }}
),

expert_labels as (
    select session_id, item_id, min(verdict) as expert_verdict, min(policy_code) as expert_policy_code
    from labels
    where is_expert
    group by session_id, item_id
),

moderator_versions as (
    select * from {{ ref('int_moderators_versioned') }}
),

items as (
    select item_id, queue_id, market from {{ ref('stg_landing__items') }}
),

final as (
    select
        labels.calibration_label_id,
        labels.session_id,
        labels.item_id,
        labels.rater_id,
        labels.is_expert,
        labels.verdict,
        labels.policy_code,
        labels.labeled_at,
        cast(labels.labeled_at as date) as session_date,
        moderator_versions.vendor_id as rater_vendor_id,
        items.queue_id,
        items.market,
        expert_labels.expert_verdict,
        expert_labels.expert_policy_code,
        labels.verdict = expert_labels.expert_verdict as matches_expert_verdict,
        labels.verdict = expert_labels.expert_verdict
            and (labels.verdict = 'approve' or labels.policy_code = expert_labels.expert_policy_code)
            as matches_expert_label
    from labels
    left join expert_labels on labels.session_id = expert_labels.session_id and labels.item_id = expert_labels.item_id
    left join moderator_versions
        on labels.rater_id = moderator_versions.moderator_id
        and labels.labeled_at >= moderator_versions.valid_from
        and (moderator_versions.valid_to is null or labels.labeled_at < moderator_versions.valid_to)
    left join items on labels.item_id = items.item_id
)

select * from final
