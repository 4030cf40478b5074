-- Child rows kept in raw whose parent has not arrived yet. They join automatically on the run
-- after the parent lands, and leave this list.
with decisions as (select decision_id, item_id, source_file, source_line from {{ ref('stg_landing__decisions') }}),
items as (select item_id from {{ ref('stg_landing__items') }}),
audits as (select audit_id, decision_id, source_file, source_line from {{ ref('stg_landing__audits') }}),
appeals as (select appeal_id, decision_id, source_file, source_line from {{ ref('stg_landing__appeals') }}),
shifts as (select shift_id, person_id, source_file, source_line from {{ ref('stg_landing__shifts') }}),
people as (select distinct person_id from {{ ref('stg_landing__roster') }}),

orphans as (
    select 'decisions' as table_name, decision_id as row_key, 'items' as parent_table, decisions.item_id as parent_key,
           source_file, source_line
    from decisions left join items on decisions.item_id = items.item_id
    where items.item_id is null
    union all
    select 'audits', audit_id, 'decisions', audits.decision_id, audits.source_file, audits.source_line
    from audits left join decisions on audits.decision_id = decisions.decision_id
    where decisions.decision_id is null
    union all
    select 'appeals', appeal_id, 'decisions', appeals.decision_id, appeals.source_file, appeals.source_line
    from appeals left join decisions on appeals.decision_id = decisions.decision_id
    where decisions.decision_id is null
    union all
    select 'shifts', shift_id, 'roster', shifts.person_id, source_file, source_line
    from shifts left join people on shifts.person_id = people.person_id
    where people.person_id is null
)

select table_name, row_key, parent_table, parent_key, source_file, source_line from orphans
