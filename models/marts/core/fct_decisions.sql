{{ config(materialized=incremental_materialization(), unique_key='decision_id',
          incremental_strategy=var('incremental_strategy')) }}
-- depends_on: {{ ref('int_reopened_decisions') }}, {{ ref('int_reopened_days') }}
-- Incremental: the re-opened decisions (int_reopened_decisions) are rebuilt, keyed by decision.
with classified as (
    select * from {{ ref('int_decisions_outcomes_classified') }}
    {%- if is_incremental() %}
    where {{ is_reopened_decision('decision_id') }}
    {%- endif %}
),

first_decided as (
    select item_id, first_decision_id, sla_minutes from {{ ref('int_items_first_decided') }}
),

final as (
    select
        classified.decision_id,
        classified.item_id,
        classified.decision_date,
        classified.decided_at,
        classified.moderator_id,
        classified.moderator_version_id,
        classified.vendor_id,
        classified.site,
        classified.team,
        classified.is_automated,
        classified.item_type,
        classified.queue_id,
        classified.market,
        classified.language,
        classified.verdict,
        classified.policy_code,
        classified.handle_seconds,
        classified.enqueued_at,
        classified.decision_id = first_decided.first_decision_id as is_first_decision,
        case when classified.decision_id = first_decided.first_decision_id
             then {{ minutes_between('classified.enqueued_at', 'classified.decided_at') }}
        end as time_to_decision_minutes,
        case when classified.decision_id = first_decided.first_decision_id
             then {{ minutes_between('classified.enqueued_at', 'classified.decided_at') }} <= first_decided.sla_minutes
        end as within_sla,
        classified.is_in_sample,
        classified.sampling_rate,
        classified.sampling_weight,
        cast(classified.audit_count as bigint) as audit_count,
        classified.effective_audit_id,
        classified.effective_qa_verdict,
        classified.effective_qa_policy_code,
        classified.has_upheld_dispute,
        classified.outcome,
        classified.is_correct,
        classified.is_policy_correct
    from classified
    inner join first_decided on classified.item_id = first_decided.item_id
)

select * from final
