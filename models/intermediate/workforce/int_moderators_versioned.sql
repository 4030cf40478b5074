-- Slowly changing dimension (type 2) from roster snapshots: a new version starts at the first
-- snapshot where any tracked attribute differs from the previous snapshot. The first version is
-- valid from the hire date if that is earlier (people work before the next roster export).
with snapshots as (
    select * from {{ ref('stg_landing__roster') }}
),

compared as (
    select
        snapshots.*,
        lag(snapshot_date) over person_history as previous_snapshot_date,
        lag(vendor_id) over person_history as previous_vendor_id,
        lag(site) over person_history as previous_site,
        lag(team) over person_history as previous_team,
        lag(role) over person_history as previous_role,
        lag(primary_language) over person_history as previous_primary_language,
        lag(hired_on) over person_history as previous_hired_on,
        lag(status) over person_history as previous_status
    from snapshots
    window person_history as (partition by person_id order by snapshot_date)
),

version_starts as (
    select *
    from compared
    where previous_snapshot_date is null
        or vendor_id is distinct from previous_vendor_id
        or site is distinct from previous_site
        or team is distinct from previous_team
        or role is distinct from previous_role
        or primary_language is distinct from previous_primary_language
        or hired_on is distinct from previous_hired_on
        or status is distinct from previous_status
),

bounded as (
    select
        version_starts.*,
        case when previous_snapshot_date is null and hired_on < snapshot_date
             then cast(hired_on as timestamp)
             else cast(snapshot_date as timestamp) end as valid_from,
        cast(lead(snapshot_date) over (partition by person_id order by snapshot_date) as timestamp) as valid_to
    from version_starts
),

final as (
    select
        person_id || '|' || cast(snapshot_date as string) as moderator_version_id,
        person_id as moderator_id,
        vendor_id,
        site,
        team,
        role,
        primary_language,
        hired_on,
        status,
        snapshot_date as first_snapshot_date,
        valid_from,
        valid_to,
        valid_to is null as is_current
    from bounded
)

select * from final
