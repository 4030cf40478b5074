select vendor_id, vendor_name, vendor_type, contract_region
from {{ ref('vendors') }}
