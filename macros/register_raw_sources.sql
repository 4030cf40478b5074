{#- Expose the Parquet raw layer (<warehouse>/raw/<folder>/*.parquet) as relations raw.<name>.
    Called on run start, so files committed by the last ingest are always visible. -#}
{% macro register_raw_sources() %}
    {{ return(adapter.dispatch('register_raw_sources', 'modqa')()) }}
{% endmacro %}

{% macro default__register_raw_sources() %}
    create schema if not exists raw;
    {% for name, folder in raw_source_folders().items() %}
    create or replace view raw.{{ name }} as
        select * from read_parquet('{{ var("raw_path") }}/{{ folder }}/*.parquet');
    {% endfor %}
{% endmacro %}
