-- A general course has no policy: its empty field is null on DuckDB but an empty string in Spark's seed
-- loader; both engines publish null.
select course_id, course_name, nullif(policy_code, '') as policy_code, course_type, duration_minutes
from {{ ref('courses') }}
