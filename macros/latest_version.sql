{#- The latest delivered version of each key, in delivery order (var raw_delivery_order, DESIGN §3): a later
    load wins, then a file modified later, then a later path, then a later line.
    Raw keeps every delivery (a dispute settled, an appeal resolved, a corrected export).
    Ingest flags every delivery of a key loaded before (`_redelivered`), so a key has more than one
    version exactly when one of its rows is flagged: only those keys go through the window, and the
    rest are taken as they are (cheaper than counting the deliveries of every key).
    In an incremental run (`incremental`) only deliveries since the last build are read
    (macros/delivered_since.sql, the one watermark): load ids grow with time, so a newer delivery always
    replaces the stored version of its key. -#}
{% macro latest_version(relation, key_columns, incremental=false) %}
    {%- set newer -%}
        {%- if incremental %} and {{ delivered_since('_load_id') }}{% endif -%}
    {%- endset %}
    {%- set on_keys %}
        {%- for key in key_columns %}{{ ' and ' if not loop.first }}delivered.{{ key }} = repeated.{{ key }}{% endfor -%}
    {%- endset %}
    {%- set repeated -%}
        select distinct {{ key_columns | join(', ') }} from {{ relation }} where _redelivered{{ newer }}
    {%- endset %}
    select delivered.*, cast(1 as bigint) as _version_rank
    from (select * from {{ relation }} where true{{ newer }}) as delivered
    left join ({{ repeated }}) as repeated on {{ on_keys }}
    where repeated.{{ key_columns[0] }} is null
    union all
    select *
    from (
        select
            delivered.*,
            row_number() over (
                partition by {% for key in key_columns %}{{ ', ' if not loop.first }}delivered.{{ key }}{% endfor %}
                order by
                    {%- for column in var('raw_delivery_order') %}
                    {{ ', ' if not loop.first }}delivered.{{ column }} desc
                    {%- endfor %}
            ) as _version_rank
        from (select * from {{ relation }} where true{{ newer }}) as delivered
        inner join ({{ repeated }}) as repeated on {{ on_keys }}
    ) as versions
    where _version_rank = 1
{% endmacro %}
