{{ config(**incremental_config('decision', 'audit_id', on_day='decision_date')) }}
-- depends_on: {{ ref('int_reopened_decisions') }}, {{ ref('int_reopened_days') }}
-- Incremental: the audits of the re-opened decisions (int_reopened_decisions) are rebuilt (reopened_by
-- decision: strategy replace_reopened deletes every stored row of a re-opened decision first).
with audits as (
    select * from {{ ref('int_audits_ranked') }}
    {%- if is_incremental() %}
    where {{ is_reopened_decision('decision_id') }}
    {%- endif %}
),

decisions as (
    select decision_id, decided_at, decision_date, moderator_id, vendor_id, queue_id, market, is_automated
    from {{ ref('fct_decisions') }}
    {%- if is_incremental() %}
    where {{ decided_since_first_reopened_day('decision_date') }} and {{ is_reopened_decision('decision_id') }}
    {%- endif %}
),

final as (
    select
        audits.audit_id,
        audits.decision_id,
        audits.auditor_id,
        audits.audit_type,
        audits.is_random,
        audits.sampling_rate,
        audits.audited_at,
        cast(audits.audited_at as date) as audit_date,
        audits.qa_verdict,
        audits.qa_policy_code,
        audits.moderator_verdict,
        audits.moderator_policy_code,
        case
            when audits.moderator_verdict = 'reject' and audits.qa_verdict = 'approve' then 'FP'
            when audits.moderator_verdict = 'approve' and audits.qa_verdict = 'reject' then 'FN'
            when audits.moderator_verdict = 'reject' and audits.moderator_policy_code <> audits.qa_policy_code
                then 'wrong_policy'
        end as finding_type,
        audits.moderator_verdict <> audits.qa_verdict
            or (audits.moderator_verdict = 'reject' and audits.moderator_policy_code <> audits.qa_policy_code)
            as is_finding,
        audits.error_root_cause,
        audits.error_severity,
        audits.dispute_outcome,
        audits.is_dispute_upheld,
        audits.is_latest_audit as is_effective_audit,
        decisions.decided_at,
        decisions.decision_date,
        decisions.moderator_id,
        decisions.vendor_id,
        decisions.queue_id,
        decisions.market,
        decisions.is_automated,
        {{ minutes_between('decisions.decided_at', 'audits.audited_at') }} as qa_turnaround_minutes
    from audits
    inner join decisions on audits.decision_id = decisions.decision_id
)

select * from final
