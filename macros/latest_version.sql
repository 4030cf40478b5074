{#- The latest delivered version of each key: a later load wins, then a later file, then a later line.
    Raw keeps every delivery (a dispute settled, an appeal resolved, a corrected export).
    In an incremental run only deliveries newer than what `existing` holds are read: load ids grow
    with time, so a newer delivery always replaces the stored version of its key. -#}
{% macro latest_version(relation, key_columns, existing=none) %}
    select *
    from (
        select
            delivered.*,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by _load_id desc, _source_file desc, _source_line desc
            ) as _version_rank
        from {{ relation }} as delivered
        {%- if existing is not none %}
        where _load_id > (select coalesce(max(load_id), '') from {{ existing }})
        {%- endif %}
    ) as versions
    where _version_rank = 1
{% endmacro %}
