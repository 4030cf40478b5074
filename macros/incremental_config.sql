{#- The config of a model built incrementally, from what re-opens its rows (`reopened_by`,
    macros/reopened_by_kinds.sql), its real row key and, on DuckDB, its strategy:
        {{ config(**incremental_config('day', ['decision_date', 'queue_id'])) }}
    One call per model, so what an engine needs beyond the declaration is decided here, once.
    `redelivered_in` (kind delivery only): the raw table (source landing) the model stages. A key it
    stores has a newer version only if ingest flagged that delivery `_redelivered` (a key loaded before),
    so the run deletes the stored rows of those keys instead of probing every stored key.
    `on_day` (kind decision only): the model's date column when every row of a re-opened decision lies on
    that decision's day. int_reopened_days lists the old and the new day of every re-opened
    decision, so the stored rows a run deletes and the rows it rebuilds are all on those days, and a
    condition on the column first lets DuckDB skip the other days' row groups instead of probing every
    key of the history (macros/reopened_rows.sql; the gate's predicate does the same, expectations/scope.py).
    DuckDB: incremental; `replace_reopened` deletes every stored row the run re-opens and inserts the
    rebuild (macros/incremental_replace_reopened.sql); `delete+insert` (var incremental_strategy) serves
    int_items_first_decided, whose rebuild returns a row for every re-opened key.
    Spark: its Parquet tables have no row-level delete, so a model re-opened by day, week or month is
    partitioned by that period's column and rebuilt with dbt-spark's `insert_overwrite` (dynamic partition
    overwrite: only the partitions the rebuild writes are replaced). The re-opened periods are dropped
    first (macros/drop_reopened_partitions.sql): a period left with no rows would otherwise keep its old
    ones. The other kinds re-open by key, which needs Delta or Iceberg (`merge`): they are tables there,
    rebuilt on every run. -#}
{% macro incremental_config(reopened_by, unique_key, strategy='replace_reopened', on_day=none, redelivered_in=none) %}
    {%- do checked_reopened_by(reopened_by, model.name) -%}
    {%- if on_day and reopened_by != 'decision' -%}
        {{ exceptions.raise_compiler_error("model " ~ model.name ~ ": on_day bounds the rows of re-opened "
                                           ~ "decisions; reopened_by " ~ reopened_by ~ " takes none") }}
    {%- endif -%}
    {%- if redelivered_in and (reopened_by != 'delivery' or redelivered_in not in var('raw_keys')) -%}
        {{ exceptions.raise_compiler_error("model " ~ model.name ~ ": redelivered_in names the raw table a "
                                           ~ "staging model (reopened_by delivery) reads, one of: "
                                           ~ var('raw_keys').keys() | join(', ')) }}
    {%- endif -%}
    {%- set meta = {'reopened_by': reopened_by} -%}
    {%- if on_day %}{% do meta.update({'reopened_on_day': on_day}) %}{% endif -%}
    {%- if redelivered_in %}{% do meta.update({'redelivered_in': redelivered_in}) %}{% endif -%}
    {{ return(adapter.dispatch('incremental_config', 'modqa')(reopened_by, unique_key, strategy, meta)) }}
{% endmacro %}

{% macro default__incremental_config(reopened_by, unique_key, strategy, meta) %}
    {{ return({'materialized': 'incremental', 'unique_key': unique_key, 'incremental_strategy': strategy,
               'meta': meta}) }}
{% endmacro %}

{% macro spark__incremental_config(reopened_by, unique_key, strategy, meta) %}
    {%- set settings = {'unique_key': unique_key, 'meta': meta} -%}
    {%- if reopened_by in period_kinds() -%}
        {%- do settings.update({'materialized': 'incremental', 'incremental_strategy': 'insert_overwrite',
                                'file_format': 'parquet', 'partition_by': [reopened_by_kinds()[reopened_by]],
                                'pre_hook': '{{ drop_reopened_partitions() }}'}) -%}
    {%- else -%}
        {%- do settings.update({'materialized': 'table'}) -%}
    {%- endif -%}
    {{ return(settings) }}
{% endmacro %}
