-- Vendors from the seed plus an 'unknown' member for human decisions by staff missing from the roster.
with vendors as (
    select * from {{ ref('stg_reference__vendors') }}
),

final as (
    select vendor_id, vendor_name, vendor_type, contract_region, false as is_unknown_member
    from vendors
    union all
    select 'unknown', 'Unknown (not on roster)', 'unknown', 'unknown', true
)

select * from final
