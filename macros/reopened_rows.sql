{#- The SQL condition selecting a model's rows that an incremental run re-opens, by what re-opens them
    (`reopened_by`, macros/reopened_by_kinds.sql), within the re-opened days when the model declares the
    day its rows lie on (`on_day`, macros/incremental_config.sql). `true` in a full build. -#}
{% macro reopened_rows(reopened_by, model_name, on_day=none) -%}
    {%- set reopened_by = checked_reopened_by(reopened_by, model_name) -%}
    {%- set within_days = is_reopened_day(on_day) | trim ~ ' and ' if on_day and incremental_since() is not none
                          else '' -%}
    {%- if reopened_by == 'decision' -%}{{ return(within_days ~ is_reopened_decision('decision_id') | trim) }}
    {%- elif reopened_by == 'item' -%}{{ return(is_reopened_item('item_id') | trim) }}
    {%- elif reopened_by == 'appeal' -%}{{ return(is_reopened_appeal('appeal_id') | trim) }}
    {%- elif reopened_by == 'day' -%}{{ return(is_reopened_day('decision_date') | trim) }}
    {%- elif reopened_by == 'week' -%}{{ return(is_reopened_period('week', 'week_start_date') | trim) }}
    {%- elif reopened_by == 'month' -%}{{ return(is_reopened_period('month', 'month_start_date') | trim) }}
    {%- elif reopened_by == 'orphan' -%}{{ return(is_reopened_orphan() | trim) }}
    {%- elif reopened_by == 'session' -%}{{ return(is_reopened_session('session_id') | trim) }}
    {%- else -%}{{ return(delivered_since('load_id') | trim) }}
    {%- endif -%}
{%- endmacro %}
