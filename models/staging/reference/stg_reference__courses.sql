-- General courses (onboarding, remedial) have no policy. Their empty seed field is null on DuckDB but not
-- in Spark's seed loader, so the course type decides: both engines publish null.
select
    course_id,
    course_name,
    case when course_type in ('onboarding', 'remedial') then cast(null as {{ dbt.type_string() }})
        else policy_code end as policy_code,
    course_type,
    duration_minutes
from {{ ref('courses') }}
