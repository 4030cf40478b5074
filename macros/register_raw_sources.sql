{#- Expose the Parquet raw layer (<warehouse>/raw/<folder>/*.parquet) as relations raw.<name>.
    Called on run start, so files committed by the last ingest are always visible. Statements run
    one at a time (Spark runs one statement per call). -#}
{% macro register_raw_sources() %}
    {% if execute %}
        {% do adapter.dispatch('register_raw_sources', 'modqa')() %}
    {% endif %}
    select 1
{% endmacro %}

{#- The absolute path: a view keeps it as text, and the gate and publish read these views from other
    working folders. Read when hooks run, not from dbt_project.yml, whose env vars take part in dbt's
    partial-parse check (a new warehouse would re-parse the whole project). -#}
{% macro raw_folder() %}
    {{ return(env_var('MODQA_WAREHOUSE', '.') ~ '/raw') }}
{% endmacro %}

{% macro default__register_raw_sources() %}
    {% do run_query('create schema if not exists raw') %}
    {% for name, folder in raw_source_folders().items() %}
        {#- The warehouse path is data, not a pattern: DuckDB reads a glob character in brackets as itself. -#}
        {%- set literal_folder = (raw_folder() ~ "/" ~ folder) | replace("'", "''") | replace("[", "[[]")
                                 | replace("*", "[*]") | replace("?", "[?]") %}
        {% do run_query("create or replace view raw." ~ name ~ " as select * from read_parquet('"
                        ~ literal_folder ~ "/*.parquet')") %}
    {% endfor %}
{% endmacro %}

{% macro spark__register_raw_sources() %}
    {% do run_query('create database if not exists raw') %}
    {% for name, folder in raw_source_folders().items() %}
        {#- A view over the folder re-lists its files on every query, so new batches are seen. -#}
        {% do run_query("create or replace view raw." ~ name ~ " as select * from parquet.`"
                        ~ raw_folder() ~ "/" ~ folder ~ "`") %}
    {% endfor %}
{% endmacro %}
