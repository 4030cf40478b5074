{#- Incremental strategy `replace_reopened` (DuckDB) of the models keyed by a re-opened decision or day:
    delete every stored row the run re-opens, then append the rebuilt rows. delete+insert deletes only
    the keys the rebuild returns rows for, so a key left with none (an audit corrected onto another
    decision, a day whose decisions all moved away) would keep its old rows. The model's unique_key
    names what re-opens its rows: decision_id (int_reopened_decisions), decision_date
    (int_reopened_days) or, in dq_orphans, row_key (macros/is_reopened.sql). -#}
{% macro get_incremental_replace_reopened_sql(arg_dict) %}
    {%- set key = arg_dict['unique_key'] -%}
    {%- if key == 'decision_id' -%}
        {%- set reopened = is_reopened_decision(key) -%}
    {%- elif key == 'decision_date' -%}
        {%- set reopened = is_reopened_day(key) -%}
    {%- elif key == 'row_key' -%}
        {%- set reopened = is_reopened_orphan() -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("replace_reopened needs unique_key decision_id, decision_date or "
                                           ~ "row_key, not " ~ key ~ " (" ~ this ~ ")") }}
    {%- endif -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }} where {{ reopened }};
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{% endmacro %}
