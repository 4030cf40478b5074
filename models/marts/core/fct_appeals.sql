{{ config(**incremental_config('appeal', 'appeal_id')) }}
-- depends_on: {{ ref('int_reopened_decisions') }}
-- Incremental: the appeals delivered since the last build and those of re-opened decisions are rebuilt
-- (reopened_by appeal: replace_reopened deletes their stored rows first), instead of joining every appeal
-- of the history to fct_decisions again.
with appeals as (
    select * from {{ ref('stg_landing__appeals') }}
    {%- if is_incremental() %}
    where {{ is_reopened_child('decision_id', 'load_id') }}
    {%- endif %}
),

decisions as (
    select decision_id, decision_date, moderator_id, vendor_id, queue_id, market, verdict, policy_code, outcome
    from {{ ref('fct_decisions') }}
),

final as (
    select
        appeals.appeal_id,
        appeals.decision_id,
        appeals.filed_at,
        cast(appeals.filed_at as date) as filed_date,
        appeals.resolved_at,
        appeals.appeal_outcome,
        appeals.resolved_at is null as is_open,
        coalesce(appeals.appeal_outcome = 'overturned', false) as is_overturned,
        {{ minutes_between('appeals.filed_at', 'appeals.resolved_at') }} / 60.0 as resolution_hours,
        decisions.decision_date,
        decisions.moderator_id,
        decisions.vendor_id,
        decisions.queue_id,
        decisions.market,
        decisions.verdict as decision_verdict,
        decisions.policy_code as decision_policy_code,
        decisions.outcome as decision_qa_outcome
    from appeals
    inner join decisions on appeals.decision_id = decisions.decision_id
)

select * from final
