-- A person's SCD2 versions tile time: ordered by valid_from, each version ends exactly where the next
-- starts and only the last is open-ended. Fails overlaps (next starts before this ends, or an open
-- version is followed by another) and gaps (next starts after this ends), which would give a decision
-- two versions or none.
with ordered as (
    select
        moderator_id,
        moderator_version_id,
        valid_from,
        valid_to,
        lead(moderator_version_id) over person_versions as next_version_id,
        lead(valid_from) over person_versions as next_valid_from
    from {{ ref('dim_moderator') }}
    window person_versions as (partition by moderator_id order by valid_from, moderator_version_id)
)

select *
from ordered
where next_valid_from is distinct from valid_to
