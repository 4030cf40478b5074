select queue_id, queue_name, item_type, sla_minutes
from {{ ref('stg_reference__queues') }}
