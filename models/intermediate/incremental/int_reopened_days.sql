-- The days an incremental run replaces in the daily marts: the decision days of the re-opened
-- decisions (int_reopened_decisions), which include every touched day's old and new contents.
select distinct decision_date from {{ ref('int_reopened_decisions') }} where decision_date is not null
