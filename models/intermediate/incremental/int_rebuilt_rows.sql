-- One row per model an incremental build rebuilt selectively: its relation, incremental key and the SQL
-- condition selecting the rebuilt rows (macros/rebuilt_rows.sql, the list dbt's test hook uses too).
-- Empty in a full build. The publish gate reads it to validate those rows rather than all history again.
{%- set scopes = rebuilt_row_scopes() %}
{%- if scopes %}
select * from (values
    {%- for scope in scopes %}
    ('{{ scope.model }}', '{{ scope.relation }}', '{{ scope.key }}',
     '{{ scope.condition | replace("'", "''") }}'){{ ',' if not loop.last }}
    {%- endfor %}
) as scopes (model_name, relation_name, incremental_key, rebuilt_rows_condition)
{%- else %}
select
    cast(null as {{ dbt.type_string() }}) as model_name,
    cast(null as {{ dbt.type_string() }}) as relation_name,
    cast(null as {{ dbt.type_string() }}) as incremental_key,
    cast(null as {{ dbt.type_string() }}) as rebuilt_rows_condition
where false
{%- endif %}
