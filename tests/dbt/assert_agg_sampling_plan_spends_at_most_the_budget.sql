-- Per plan day, the planned audits add up to min(budget, Σ required) (1e-9 relative): the budget is a
-- cap, and when it binds it is spent in full.
select
    plan_date,
    sum(planned_audits) as planned_audits,
    max(daily_audit_budget) as daily_audit_budget,
    sum(required_audits) as required_audits
from {{ ref('agg_sampling_plan') }}
group by plan_date
having abs(sum(planned_audits) - least(max(daily_audit_budget), sum(required_audits)))
    > 1e-9 * greatest(1, sum(planned_audits))
