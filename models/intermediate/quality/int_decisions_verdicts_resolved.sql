{{ config(**incremental_config('decision', 'decision_id')) }}
-- depends_on: {{ ref('int_reopened_decisions') }}
-- Incremental: the verdicts of the re-opened decisions (int_reopened_decisions) are rebuilt, keyed by
-- decision.
-- One row per audited decision: its effective QA verdict (latest audit; an upheld dispute means the
-- moderator was right), whether it is in the random sample, and its sampling weight (DESIGN §4).
with audits as (
    select * from {{ ref('int_audits_ranked') }}
    {%- if is_incremental() %}
    where {{ is_reopened_decision('decision_id') }}
    {%- endif %}
),

latest as (
    select * from audits where is_latest_audit
),

earliest_random as (
    select decision_id, sampling_rate from audits where random_audit_order = 1
),

counts as (
    select
        decision_id,
        count(*) as audit_count,
        sum(case when is_random then 1 else 0 end) as random_audit_count
    from audits
    group by decision_id
),

final as (
    select
        latest.decision_id,
        latest.audit_id as effective_audit_id,
        latest.audit_type as effective_audit_type,
        latest.is_dispute_upheld as has_upheld_dispute,
        case when latest.is_dispute_upheld then latest.moderator_verdict
             else latest.qa_verdict end as effective_qa_verdict,
        case when latest.is_dispute_upheld then latest.moderator_policy_code
             else latest.qa_policy_code end as effective_qa_policy_code,
        earliest_random.decision_id is not null as is_in_sample,
        earliest_random.sampling_rate,
        cast(1.0 as double) / earliest_random.sampling_rate as sampling_weight,
        cast(counts.audit_count as bigint) as audit_count,
        cast(counts.random_audit_count as bigint) as random_audit_count
    from latest
    inner join counts on latest.decision_id = counts.decision_id
    left join earliest_random on latest.decision_id = earliest_random.decision_id
)

select * from final
