select root_cause_code, root_cause_name, category, description
from {{ ref('stg_reference__root_causes') }}
