{#- What re-opens a model's rows in an incremental build, declared per model as
    `config(**incremental_config(<kind>, <key>))` (stored as meta.reopened_by) and read here, never inferred
    from the name of its unique_key:
      decision  its rows of the re-opened decisions (column decision_id; int_reopened_decisions)
      item      its rows of the items of those decisions (column item_id)
      appeal    its rows of the appeals delivered since the last build or whose decision was re-opened
                (column appeal_id; is_reopened_appeal)
      day       its rows of the re-opened days (column decision_date; int_reopened_days)
      week      its rows of the ISO weeks holding a re-opened day (column week_start_date)
      month     its rows of the months holding a re-opened day (column month_start_date)
      orphan    dq_orphans' re-evaluated rows (is_reopened_orphan)
      session   its rows of the calibration sessions a label was delivered to (column session_id)
      delivery  staging: the rows delivered since the last build (delivered_since; the strategy replaces
                their keys)
    The column is the one the kind selects rows by (none: no single column). -#}
{% macro reopened_by_kinds() -%}
    {{ return({'decision': 'decision_id', 'item': 'item_id', 'appeal': 'appeal_id', 'day': 'decision_date',
               'week': 'week_start_date', 'month': 'month_start_date', 'orphan': none, 'session': 'session_id',
               'delivery': none}) }}
{%- endmacro %}

{#- The kinds that re-open whole periods (macros/period_start.sql): their rows are selected by the period's
    first day, so an engine without row-level deletes can replace them as partitions of that column. -#}
{% macro period_kinds() -%}
    {{ return(['day', 'week', 'month']) }}
{%- endmacro %}
