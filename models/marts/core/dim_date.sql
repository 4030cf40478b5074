-- Calendar over the whole span of the data (first enqueue to last decision, audit, appeal or shift).
with bounds as (
    select min(first_date) as first_date, max(last_date) as last_date
    from (
        select min(cast(enqueued_at as date)) as first_date, max(cast(enqueued_at as date)) as last_date
        from {{ ref('stg_landing__items') }}
        union all
        select min(cast(decided_at as date)), max(cast(decided_at as date)) from {{ ref('stg_landing__decisions') }}
        union all
        select min(cast(audited_at as date)), max(cast(audited_at as date)) from {{ ref('stg_landing__audits') }}
        union all
        select min(cast(filed_at as date)), max(cast(coalesce(resolved_at, filed_at) as date))
        from {{ ref('stg_landing__appeals') }}
        union all
        select min(shift_date), max(shift_date) from {{ ref('stg_landing__shifts') }}
    ) as spans
),

days as (
    {{ date_series('(select first_date from bounds)', '(select last_date from bounds)') }}
),

final as (
    select
        date_day,
        {{ first_day_of_month('date_day') }} as month_start_date,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start_date,
        cast(extract(year from date_day) as bigint) as calendar_year,
        cast(extract(month from date_day) as bigint) as calendar_month,
        {{ iso_day_of_week('date_day') }} as iso_day_of_week,
        case {{ iso_day_of_week('date_day') }}
            when 1 then 'Monday' when 2 then 'Tuesday' when 3 then 'Wednesday' when 4 then 'Thursday'
            when 5 then 'Friday' when 6 then 'Saturday' else 'Sunday'
        end as day_name,
        {{ iso_day_of_week('date_day') }} >= 6 as is_weekend
    from days
)

select * from final
