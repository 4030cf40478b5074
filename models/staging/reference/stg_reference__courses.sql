select course_id, course_name, policy_code, course_type, duration_minutes
from {{ ref('courses') }}
