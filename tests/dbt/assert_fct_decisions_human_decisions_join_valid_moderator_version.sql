-- Every human decision by someone on the roster carries the dim_moderator version of that person
-- whose [valid_from, valid_to) contains decided_at, and that version's vendor (DESIGN §5 SCD2 as-of
-- join). Catches a missed, wrong-person or out-of-range version and a vendor not taken from it.
with decisions as (
    select
        decision_id,
        moderator_id,
        moderator_version_id,
        vendor_id,
        decided_at
    from {{ ref('fct_decisions') }}
    where not is_automated
        -- in an incremental build, the decisions it rebuilt: a roster change re-opens those whose version it moves
        and ({{ rebuilt_rows_condition(ref('fct_decisions')) }})
),

versions as (
    select
        moderator_version_id,
        moderator_id,
        vendor_id,
        valid_from,
        valid_to
    from {{ ref('dim_moderator') }}
),

rostered as (
    select distinct moderator_id from versions
)

select
    decisions.decision_id,
    decisions.moderator_id,
    decisions.decided_at,
    decisions.moderator_version_id,
    decisions.vendor_id,
    versions.moderator_id as version_moderator_id,
    versions.vendor_id as version_vendor_id,
    versions.valid_from,
    versions.valid_to
from decisions
inner join rostered on decisions.moderator_id = rostered.moderator_id
left join versions on decisions.moderator_version_id = versions.moderator_version_id
where
    versions.moderator_version_id is null
    or versions.moderator_id <> decisions.moderator_id
    or decisions.decided_at < versions.valid_from
    or decisions.decided_at >= versions.valid_to
    or decisions.vendor_id is distinct from versions.vendor_id
