select root_cause_code, root_cause_name, category, description
from {{ ref('root_causes') }}
