{{ config(**incremental_config('orphan', ['table_name', 'row_key'])) }}
-- depends_on: {{ ref('int_reopened_decisions') }}, {{ ref('int_reopened_days') }}
-- Staged rows that are not in their fact table because an ancestor has not arrived: decisions
-- without their item, audits and appeals without their decision (or whose decision still waits for
-- its item), shifts of people with no roster record covering the day. Computed against the facts, so
-- staged = fact + orphan rows holds by construction. They join on the run after the parent lands.
-- Incremental: only re-opened rows are evaluated again (macros/is_reopened.sql, is_reopened_orphan),
-- instead of every staged decision against fct_decisions, which grows with the history. The
-- decisions earlier builds found waiting are read back for the appeals naming them: a new appeal does
-- not re-open its decision (a new audit does).
with decisions as (
    select decision_id, item_id, source_file, source_line from {{ ref('stg_landing__decisions') }}
    {%- if is_incremental() %}
    where {{ decided_since_first_reopened_day('decided_at') }} and {{ is_reopened_decision('decision_id') }}
    {%- endif %}
),

decided as (
    select decision_id from {{ ref('fct_decisions') }}
    {%- if is_incremental() %}
    where {{ decided_since_first_reopened_day('decision_date') }}
    {%- endif %}
),

waiting_reopened_decisions as (
    select decisions.decision_id, decisions.item_id, decisions.source_file, decisions.source_line
    from decisions
    left join decided on decisions.decision_id = decided.decision_id
    where decided.decision_id is null
),

waiting_decisions as (
    select decision_id, item_id from waiting_reopened_decisions
    {%- if is_incremental() %}
    union all
    select row_key, parent_key
    from {{ this }}
    where table_name = 'decisions'
        and row_key not in (
            select decision_id from {{ ref('int_reopened_decisions') }} where decision_id is not null
        )
    {%- endif %}
),

audits as (
    select audits.audit_id, audits.decision_id, audits.source_file, audits.source_line
    from {{ ref('stg_landing__audits') }} as audits
    left join {{ ref('fct_qa_audits') }} as facts on audits.audit_id = facts.audit_id
    where facts.audit_id is null
    {%- if is_incremental() %}
        and {{ is_reopened_child('audits.decision_id', 'audits.load_id') }}
    {%- endif %}
),

appeals as (
    select appeals.appeal_id, appeals.decision_id, appeals.source_file, appeals.source_line
    from {{ ref('stg_landing__appeals') }} as appeals
    left join {{ ref('fct_appeals') }} as facts on appeals.appeal_id = facts.appeal_id
    where facts.appeal_id is null
    {%- if is_incremental() %}
        and {{ is_reopened_child('appeals.decision_id', 'appeals.load_id') }}
    {%- endif %}
),

orphans as (
    select
        'decisions' as table_name,
        decision_id as row_key,
        'items' as parent_table,
        item_id as parent_key,
        source_file,
        source_line
    from waiting_reopened_decisions

    union all

    select
        'audits',
        audits.audit_id,
        case when waiting_decisions.decision_id is null then 'decisions' else 'items' end,
        coalesce(waiting_decisions.item_id, audits.decision_id),
        audits.source_file,
        audits.source_line
    from audits
    left join waiting_decisions on audits.decision_id = waiting_decisions.decision_id

    union all

    select
        'appeals',
        appeals.appeal_id,
        case when waiting_decisions.decision_id is null then 'decisions' else 'items' end,
        coalesce(waiting_decisions.item_id, appeals.decision_id),
        appeals.source_file,
        appeals.source_line
    from appeals
    left join waiting_decisions on appeals.decision_id = waiting_decisions.decision_id

    union all

    select
        'shifts',
        staged.shift_id,
        'roster',
        staged.person_id,
        staged.source_file,
        staged.source_line
    from {{ ref('stg_landing__shifts') }} as staged
    left join {{ ref('fct_shifts') }} as facts on staged.shift_id = facts.shift_id
    where facts.shift_id is null
)

select table_name, row_key, parent_table, parent_key, source_file, source_line from orphans
