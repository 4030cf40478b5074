{#- The last decision day whose audits are in (DESIGN §4 Maturity), as a scalar subquery: the latest day
    random audits have arrived for, minus var audit_lag_days (the QA team's audit turnaround
    commitment: random audits of a day's decisions are done within that many days). A day is mature
    when it is on or before this date: the audit feed has moved past the day's whole audit window, so
    its sample will not grow. A stalled audit feed keeps every later day provisional. NULL (nothing
    mature) without random audits. `loaded_through` limits the audits to loads up to that id: the
    horizon as the previous build saw it (int_reopened_days re-opens the days it made provisional). -#}
{% macro mature_through_date(loaded_through=none) %}
    (select cast({{ dbt.dateadd('day', -var('audit_lag_days'), 'max(cast(audited_at as date))') }} as date)
     from {{ ref('stg_landing__audits') }}
     where audit_type = 'random'{% if loaded_through is not none %} and load_id <= '{{ loaded_through }}'{% endif %})
{% endmacro %}
