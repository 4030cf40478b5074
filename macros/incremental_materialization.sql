{#- How the decision-grain and daily models materialize. DuckDB: incremental (delete+insert of the
    re-opened days or of the newly delivered keys). Spark: a full table on every run, because
    Parquet tables there have no row-level delete; incremental on Spark needs Delta or Iceberg
    (merge) or date-partitioned insert_overwrite, the documented production path. -#}
{% macro incremental_materialization() %}
    {{ return(adapter.dispatch('incremental_materialization', 'modqa')()) }}
{% endmacro %}

{% macro default__incremental_materialization() %}
    {{ return('incremental') }}
{% endmacro %}

{% macro spark__incremental_materialization() %}
    {{ return('table') }}
{% endmacro %}
