{#- Incremental strategy `replace_reopened` (DuckDB): delete every stored row the run re-opens, then append
    the rebuilt rows. delete+insert deletes only the keys the rebuild returns rows for, so a key left with
    none (an audit corrected onto another decision, a day whose decisions all moved away) would keep its
    old rows. What re-opens the rows is the model's own declaration, `meta.reopened_by`
    (macros/reopened_by_kinds.sql), not its unique_key, which is the model's real row key.
    Kind delivery (staging) re-opens the rows delivered since the last build, so the run deletes what a
    build that was not recorded stored of them and, for a model `redelivered_in` a raw table, the stored
    rows of the keys re-delivered since (ingest's `_redelivered`: a first delivery has none stored). Two
    statements: with an OR between them DuckDB would probe every stored key, which this avoids. -#}
{% macro get_incremental_replace_reopened_sql(arg_dict) %}
    {%- set reopened_by = checked_reopened_by(config.meta_get('reopened_by'), model.name) -%}
    {%- set redelivered_in = config.meta_get('redelivered_in') -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }}
    where {{ reopened_rows(reopened_by, model.name, config.meta_get('reopened_on_day')) }};
    {%- if redelivered_in and incremental_since() is not none %}
    {%- set keys = var('raw_keys')[redelivered_in] | join(', ') %}
    delete from {{ arg_dict['target_relation'] }}
    where ({{ keys }}) in (select {{ keys }} from {{ source('landing', redelivered_in) }}
                           where _redelivered and {{ delivered_since('_load_id') }});
    {%- endif %}
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{% endmacro %}
