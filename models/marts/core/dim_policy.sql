select policy_code, policy_name, category, severity_tier
from {{ ref('stg_reference__policies') }}
