-- The days an incremental run replaces in the daily marts: the decision days of the re-opened
-- decisions (int_reopened_decisions), which include every touched day's old and new contents, and
-- every day the previous build held as provisional (after its mature_through_date): a day becomes
-- mature as the audit feed moves on, without any of its own rows changing (agg_quality_daily.is_mature).
-- depends_on: {{ ref('stg_landing__decisions') }}, {{ ref('stg_landing__audits') }}
{%- set since = incremental_since() %}
select distinct decision_date from {{ ref('int_reopened_decisions') }} where decision_date is not null
{%- if since is not none %}
union
select distinct cast(decided_at as date) as decision_date
from {{ ref('stg_landing__decisions') }}
where cast(decided_at as date) > coalesce({{ mature_through_date(loaded_through=since) }}, cast('1900-01-01' as date))
{%- endif %}
