{#- Filters of incremental runs: the rows an incremental run rebuilds (int_reopened_decisions,
    int_reopened_days). Without `since_load_id` (macros/incremental_run.sql) every row re-opens. Models calling these carry
    `-- depends_on:` comments for both models, because the refs here render only in incremental runs,
    after dbt has read the graph. A data test reads these conditions too (macros/get_where_subquery.sql):
    there the relations come from the graph, since a test cannot ref a model it does not depend on. -#}
{% macro is_reopened_decision(decision_id_column) %}
    {%- if incremental_since() is none %}true{% else -%}
    {{ decision_id_column }} in (select decision_id from {{ reopened_relation('int_reopened_decisions') }})
    {%- endif %}
{% endmacro %}

{% macro is_reopened_item(item_id_column) %}
    {%- if incremental_since() is none %}true{% else -%}
    {{ item_id_column }} in (select item_id from {{ reopened_relation('int_reopened_decisions') }})
    {%- endif %}
{% endmacro %}

{% macro is_reopened_day(date_column) %}
    {%- if incremental_since() is none %}true{% else -%}
    {{ date_column }} in (select decision_date from {{ reopened_relation('int_reopened_days') }})
    {%- endif %}
{% endmacro %}

{#- A bound on a decision's own timestamp or date (`decided_at_column`) that every decision an incremental
    run re-opens meets: int_reopened_days lists the day of each, so none was made before the first of them.
    ANDed with a key filter, it lets DuckDB skip the row groups of older days (staging appends each day's
    deliveries, so its row groups come mostly in time order) instead of probing every key. The day is read
    when the model runs (int_reopened_days is built by then) and written into its SQL as a constant: a
    bound that is a subquery is left for later by DuckDB's planner in some query shapes, and skips nothing. -#}
{% macro decided_since_first_reopened_day(decided_at_column) %}
    {%- if incremental_since() is none %}true{% else -%}
    {%- set first_day = run_query('select min(decision_date) from '
                                  ~ reopened_relation('int_reopened_days')).columns[0].values()[0] -%}
    {%- if first_day is none %}false{% else %}{{ decided_at_column }} >= cast('{{ first_day }}' as date){% endif -%}
    {%- endif %}
{% endmacro %}

{#- The rows of the weeks or months (`period`) holding a re-opened day: `date_column` may be any date in the
    period (a decision day, or the period's own start date), so one condition both selects a model's input
    rows and deletes its stored period rows. -#}
{% macro is_reopened_period(period, date_column) %}
    {%- if incremental_since() is none %}true{% else -%}
    {{ period_start(period, date_column) | trim }} in ({{ reopened_periods(period) }})
    {%- endif %}
{% endmacro %}

{#- The query of the periods (day, week or month: their first days) holding a re-opened day: what
    is_reopened_period selects and what Spark's period partitions drop (macros/drop_reopened_partitions.sql). -#}
{% macro reopened_periods(period) -%}
    select distinct {{ period_start(period, 'decision_date') | trim }} from {{ reopened_relation('int_reopened_days') }}
    where decision_date is not null
{%- endmacro %}

{#- A calibration session is re-opened when one of its labels was delivered since the last build: a label's
    key includes its session, so a corrected label never moves between sessions. -#}
{% macro is_reopened_session(session_id_column) %}
    {%- if incremental_since() is none %}true{% else -%}
    {{ session_id_column }} in (select session_id from {{ reopened_relation('stg_landing__calibration_labels') }}
                                where {{ delivered_since('load_id') }})
    {%- endif %}
{% endmacro %}

{#- A row that hangs off a decision (an audit, an appeal) is re-opened when it was delivered since the
    last build or its decision was re-opened. -#}
{% macro is_reopened_child(decision_id_column, load_id_column) %}
    {%- if incremental_since() is none %}true{% else -%}
    ({{ delivered_since(load_id_column) }} or {{ is_reopened_decision(decision_id_column) }})
    {%- endif %}
{% endmacro %}

{#- An appeal is re-opened when it was delivered since the last build or its decision was re-opened
    (is_reopened_child): its row carries the decision's attributes. -#}
{% macro is_reopened_appeal(appeal_id_column) %}
    {%- if incremental_since() is none %}true{% else -%}
    {{ appeal_id_column }} in (select appeal_id from {{ reopened_relation('stg_landing__appeals') }}
                               where {{ is_reopened_child('decision_id', 'load_id') }})
    {%- endif %}
{% endmacro %}

{#- The rows of dq_orphans an incremental run re-evaluates: re-opened decisions, re-opened audits and
    appeals (is_reopened_child), and every shift (few, and a roster change can touch any of them).
    Any other staged row kept its place in its fact table, or its parent is still missing, since the
    previous build. -#}
{% macro is_reopened_orphan() %}
    {%- if incremental_since() is none %}true{% else -%}
    (table_name = 'shifts'
        or (table_name = 'decisions' and {{ is_reopened_decision('row_key') }})
        or (table_name = 'audits' and row_key in (
            select audit_id from {{ reopened_relation('stg_landing__audits') }}
            where {{ is_reopened_child('decision_id', 'load_id') }}))
        or (table_name = 'appeals' and {{ is_reopened_appeal('row_key') }}))
    {%- endif %}
{% endmacro %}
