{#- Incremental strategy `replace_reopened` (DuckDB): delete every stored row the run re-opens, then append
    the rebuilt rows. delete+insert deletes only the keys the rebuild returns rows for, so a key left with
    none (an audit corrected onto another decision, a day whose decisions all moved away) would keep its
    old rows. What re-opens the rows is the model's own declaration, `meta.reopened_by` (any kind
    but delivery; macros/reopened_by_kinds.sql), not its unique_key, which is the model's real row key. -#}
{% macro get_incremental_replace_reopened_sql(arg_dict) %}
    {%- set reopened_by = checked_reopened_by(config.meta_get('reopened_by'), model.name,
                                              allowed=reopened_by_kinds().keys() | reject('equalto', 'delivery')
                                                      | list) -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }}
    where {{ reopened_rows(reopened_by, model.name, config.meta_get('reopened_on_day')) }};
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{% endmacro %}
