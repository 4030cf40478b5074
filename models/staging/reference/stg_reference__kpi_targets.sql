select
    metric || '|' || scope_type || '|' || scope_value || '|' || period as kpi_target_id,
    metric,
    scope_type,
    scope_value,
    period,
    target,
    stretch,
    direction
from {{ ref('kpi_targets') }}
