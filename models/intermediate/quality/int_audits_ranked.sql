{{ config(**incremental_config('decision', 'audit_id')) }}
-- depends_on: {{ ref('int_reopened_decisions') }}, {{ ref('int_reopened_days') }}
-- Incremental: the audits of the re-opened decisions (int_reopened_decisions) are rebuilt (reopened_by
-- decision: strategy replace_reopened deletes every stored row of a re-opened decision first).
-- Audits of decisions that have arrived (orphans wait in staging and are counted by monitoring),
-- ranked per decision: the latest audit sets the effective verdict, the earliest random audit
-- sets the sampling weight.
with audits as (
    select * from {{ ref('stg_landing__audits') }}
    {%- if is_incremental() %}
    where {{ is_reopened_decision('decision_id') }}
    {%- endif %}
),

decisions as (
    select decision_id, verdict, policy_code from {{ ref('stg_landing__decisions') }}
    {%- if is_incremental() %}
    where {{ decided_since_first_reopened_day('decided_at') }} and {{ is_reopened_decision('decision_id') }}
    {%- endif %}
),

joined as (
    select
        audits.audit_id,
        audits.decision_id,
        audits.auditor_id,
        audits.audit_type,
        audits.audit_type = 'random' as is_random,
        audits.sampling_rate,
        audits.audited_at,
        audits.qa_verdict,
        audits.qa_policy_code,
        audits.error_root_cause,
        audits.error_severity,
        audits.dispute_outcome,
        coalesce(audits.dispute_outcome = 'upheld', false) as is_dispute_upheld,
        decisions.verdict as moderator_verdict,
        decisions.policy_code as moderator_policy_code
    from audits
    inner join decisions on audits.decision_id = decisions.decision_id
),

ranked as (
    select
        joined.*,
        row_number() over (
            partition by decision_id order by audited_at desc, audit_id desc
        ) as recency_rank,
        case when is_random then row_number() over (
            partition by decision_id, is_random order by audited_at, audit_id
        ) end as random_audit_order
    from joined
),

final as (
    select
        *,
        recency_rank = 1 as is_latest_audit
    from ranked
)

select * from final
