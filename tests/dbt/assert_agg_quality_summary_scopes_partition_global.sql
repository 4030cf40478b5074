-- In agg_quality_summary the vendor rows and the queue rows each partition the global row: their
-- counts add up to it (catches fan-out or loss in the scope unions and joins).
with summary as (
    select * from {{ ref('agg_quality_summary') }}
),

global_scope as (
    select * from summary where scope_type = 'global'
),

by_scope_type as (
    select
        scope_type,
        sum(decisions) as decisions,
        sum(in_sample) as in_sample,
        sum(true_positives) as true_positives,
        sum(false_positives) as false_positives,
        sum(false_negatives) as false_negatives,
        sum(true_negatives) as true_negatives,
        sum(first_decisions) as first_decisions,
        sum(first_decisions_within_sla) as first_decisions_within_sla
    from summary
    where scope_type in ('vendor', 'queue')
    group by scope_type
)

select by_scope_type.*
from by_scope_type
cross join global_scope
where by_scope_type.decisions <> global_scope.decisions
    or by_scope_type.in_sample <> global_scope.in_sample
    or by_scope_type.true_positives <> global_scope.true_positives
    or by_scope_type.false_positives <> global_scope.false_positives
    or by_scope_type.false_negatives <> global_scope.false_negatives
    or by_scope_type.true_negatives <> global_scope.true_negatives
    or by_scope_type.first_decisions is distinct from global_scope.first_decisions
    or by_scope_type.first_decisions_within_sla is distinct from global_scope.first_decisions_within_sla
