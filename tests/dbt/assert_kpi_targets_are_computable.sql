-- Every monthly KPI target names a KPI the warehouse computes for that scope type: a target the
-- marts cannot evaluate would otherwise sit at `insufficient_sample` forever. Computed: the quality
-- rates (accuracy, false_positive_rate, false_negative_rate, precision, recall), sla_attainment and
-- qa_turnaround_hours for global / vendor / queue / market; backlog_items for global and queue only
-- (undecided items have no vendor); accuracy for a moderator (agg_moderator_accuracy_monthly). policy_accuracy
-- has no weighted parts in agg_quality_daily yet.
select kpi_target_id, metric, scope_type, scope_value
from {{ ref('stg_reference__kpi_targets') }}
where period = 'monthly'
    and not (
        (metric in ('accuracy', 'false_positive_rate', 'false_negative_rate', 'precision', 'recall',
                    'sla_attainment', 'qa_turnaround_hours')
         and scope_type in ('global', 'vendor', 'queue', 'market'))
        or (metric = 'backlog_items' and scope_type in ('global', 'queue'))
        or (metric = 'accuracy' and scope_type = 'moderator')
    )
