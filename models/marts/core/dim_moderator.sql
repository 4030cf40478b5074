with versions as (
    select * from {{ ref('int_moderators_versioned') }}
),

final as (
    select
        moderator_version_id,
        moderator_id,
        vendor_id,
        site,
        team,
        role,
        primary_language,
        hired_on,
        status,
        valid_from,
        valid_to,
        is_current
    from versions
)

select * from final
