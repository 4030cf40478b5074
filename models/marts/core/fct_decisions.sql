{{ config(**incremental_config('decision', 'decision_id', on_day='decision_date')) }}
-- depends_on: {{ ref('int_reopened_decisions') }}, {{ ref('int_reopened_days') }}
-- Incremental: the re-opened decisions (int_reopened_decisions) are rebuilt; replace_reopened deletes their
-- stored rows first, looking only at the re-opened days (on_day).
-- Every decision whose item has arrived, with the item's attributes, the vendor and staff version valid
-- when it was made (automated decisions belong to the automation vendor), the SLA timing of the item's
-- first decision and the QA outcome class. One model from staging to the mart: the decision grain is the
-- warehouse's largest, and each extra materialization of it costs a full copy of every decision.
with decisions as (
    select * from {{ ref('stg_landing__decisions') }}
    {%- if is_incremental() %}
    where {{ decided_since_first_reopened_day('decided_at') }} and {{ is_reopened_decision('decision_id') }}
    {%- endif %}
),

items as (
    -- The item's attributes with its first decision: one row per item, so one join brings both.
    select item_id, item_type, queue_id, market, language, enqueued_at, first_decision_id, sla_minutes
    from {{ ref('int_items_first_decided') }}
),

verdicts as (
    select * from {{ ref('int_decisions_verdicts_resolved') }}
),

moderator_versions as (
    select * from {{ ref('int_moderators_versioned') }}
),

automation_vendor as (
    select min(vendor_id) as vendor_id
    from {{ ref('stg_reference__vendors') }}
    where vendor_type = 'automation'
),

joined as (
    select
        decisions.decision_id,
        decisions.item_id,
        cast(decisions.decided_at as date) as decision_date,
        decisions.decided_at,
        decisions.moderator_id,
        moderator_versions.moderator_version_id,
        case when decisions.is_automated then automation_vendor.vendor_id
             else coalesce(moderator_versions.vendor_id, 'unknown') end as vendor_id,
        moderator_versions.site,
        moderator_versions.team,
        decisions.is_automated,
        items.item_type,
        items.queue_id,
        items.market,
        items.language,
        decisions.verdict,
        decisions.policy_code,
        decisions.handle_seconds,
        items.enqueued_at,
        decisions.decision_id = items.first_decision_id as is_first_decision,
        items.sla_minutes,
        coalesce(verdicts.is_in_sample, false) as is_in_sample,
        verdicts.sampling_rate,
        verdicts.sampling_weight,
        cast(coalesce(verdicts.audit_count, 0) as bigint) as audit_count,
        verdicts.effective_audit_id,
        verdicts.effective_qa_verdict,
        verdicts.effective_qa_policy_code,
        coalesce(verdicts.has_upheld_dispute, false) as has_upheld_dispute
    from decisions
    inner join items on decisions.item_id = items.item_id
    cross join automation_vendor
    left join moderator_versions
        on not decisions.is_automated
        and decisions.moderator_id = moderator_versions.moderator_id
        and decisions.decided_at >= moderator_versions.valid_from
        and (moderator_versions.valid_to is null or decisions.decided_at < moderator_versions.valid_to)
    left join verdicts on decisions.decision_id = verdicts.decision_id
),

final as (
    select
        decision_id,
        item_id,
        decision_date,
        decided_at,
        moderator_id,
        moderator_version_id,
        vendor_id,
        site,
        team,
        is_automated,
        item_type,
        queue_id,
        market,
        language,
        verdict,
        policy_code,
        handle_seconds,
        enqueued_at,
        is_first_decision,
        case when is_first_decision then {{ minutes_between('enqueued_at', 'decided_at') }}
        end as time_to_decision_minutes,
        case when is_first_decision then {{ minutes_between('enqueued_at', 'decided_at') }} <= sla_minutes
        end as within_sla,
        is_in_sample,
        sampling_rate,
        sampling_weight,
        audit_count,
        effective_audit_id,
        effective_qa_verdict,
        effective_qa_policy_code,
        has_upheld_dispute,
        case
            when effective_qa_verdict is null then null
            when verdict = 'reject' and effective_qa_verdict = 'reject' then 'TP'
            when verdict = 'reject' and effective_qa_verdict = 'approve' then 'FP'
            when verdict = 'approve' and effective_qa_verdict = 'reject' then 'FN'
            else 'TN'
        end as outcome,
        case when effective_qa_verdict is null then null
             else verdict = effective_qa_verdict end as is_correct,
        case when effective_qa_verdict is null then null
             else verdict = effective_qa_verdict
                 and (verdict = 'approve' or policy_code = effective_qa_policy_code) end as is_policy_correct
    from joined
)

select * from final
