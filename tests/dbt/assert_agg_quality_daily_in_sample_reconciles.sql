-- The sample in agg_quality_daily is exactly the in-sample decisions of fct_decisions, per cell,
-- with the same total weight Σw (1e-9 relative): catches a lost, double-counted or re-weighted sample.
-- In an incremental build only the days agg_quality_daily rebuilt are compared: the other days of both
-- tables are the previous build's, which passed (macros/rebuilt_rows_condition.sql).
{%- set rebuilt_days = '(' ~ rebuilt_rows_condition(ref('agg_quality_daily')) ~ ')' %}
with facts as (
    select
        decision_date,
        vendor_id,
        queue_id,
        market,
        count(*) as in_sample,
        sum(sampling_weight) as sum_w
    from {{ ref('fct_decisions') }}
    where is_in_sample and {{ rebuilt_days }}
    group by decision_date, vendor_id, queue_id, market
),

marts as (
    select
        decision_date,
        vendor_id,
        queue_id,
        market,
        in_sample,
        sum_w
    from {{ ref('agg_quality_daily') }}
    where in_sample > 0 and {{ rebuilt_days }}
)

select
    coalesce(facts.decision_date, marts.decision_date) as decision_date,
    coalesce(facts.vendor_id, marts.vendor_id) as vendor_id,
    coalesce(facts.queue_id, marts.queue_id) as queue_id,
    coalesce(facts.market, marts.market) as market,
    facts.in_sample as fact_in_sample,
    marts.in_sample as mart_in_sample,
    facts.sum_w as fact_sum_w,
    marts.sum_w as mart_sum_w
from facts
full outer join marts
    on facts.decision_date = marts.decision_date
    and facts.vendor_id = marts.vendor_id
    and facts.queue_id = marts.queue_id
    and facts.market = marts.market
where facts.in_sample is distinct from marts.in_sample
    or not coalesce(abs(facts.sum_w - marts.sum_w) <= 1e-9 * greatest(1.0, abs(facts.sum_w)), false)
