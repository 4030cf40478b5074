select market, market_name, region, primary_language
from {{ ref('markets') }}
