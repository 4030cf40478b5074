-- Every person in dim_moderator has exactly one current version.
select
    moderator_id,
    sum(case when is_current then 1 else 0 end) as current_versions
from {{ ref('dim_moderator') }}
group by moderator_id
having sum(case when is_current then 1 else 0 end) <> 1
