-- Every decision in fct_decisions is counted once in agg_quality_daily, in its own
-- decision_date × vendor × queue × market cell (catches dropped, duplicated or misfiled decisions).
-- In an incremental build only the days agg_quality_daily rebuilt are compared: the other days of both
-- tables are the previous build's, which passed (macros/rebuilt_rows_condition.sql).
{%- set rebuilt_days = '(' ~ rebuilt_rows_condition(ref('agg_quality_daily')) ~ ')' %}
with facts as (
    select
        decision_date,
        vendor_id,
        queue_id,
        market,
        count(*) as decisions
    from {{ ref('fct_decisions') }}
    where {{ rebuilt_days }}
    group by decision_date, vendor_id, queue_id, market
),

marts as (
    select
        decision_date,
        vendor_id,
        queue_id,
        market,
        decisions
    from {{ ref('agg_quality_daily') }}
    where {{ rebuilt_days }}
)

select
    coalesce(facts.decision_date, marts.decision_date) as decision_date,
    coalesce(facts.vendor_id, marts.vendor_id) as vendor_id,
    coalesce(facts.queue_id, marts.queue_id) as queue_id,
    coalesce(facts.market, marts.market) as market,
    facts.decisions as fact_decisions,
    marts.decisions as mart_decisions
from facts
full outer join marts
    on facts.decision_date = marts.decision_date
    and facts.vendor_id = marts.vendor_id
    and facts.queue_id = marts.queue_id
    and facts.market = marts.market
where facts.decisions is distinct from marts.decisions
