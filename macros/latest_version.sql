{#- The latest delivered version of each key: a later load wins, then a later file, then a later line.
    Raw keeps every delivery (a dispute settled, an appeal resolved, a corrected export). -#}
{% macro latest_version(relation, key_columns) %}
    select *
    from (
        select
            delivered.*,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by _load_id desc, _source_file desc, _source_line desc
            ) as _version_rank
        from {{ relation }} as delivered
    ) as versions
    where _version_rank = 1
{% endmacro %}
