-- One row per model an incremental build rebuilt selectively (macros/rebuilt_row_scopes.sql, from each model's
-- `reopened_by` config): its relation, what re-opened its rows and the column they are re-opened by. Data,
-- not SQL: the publish gate builds its own predicate per kind (expectations/scope.py). Empty in a full build.
{%- set scopes = rebuilt_row_scopes() %}
{%- if scopes %}
select * from (values
    {%- for scope in scopes %}
    ('{{ scope.model }}', '{{ scope.relation }}', '{{ scope.reopened_by }}',
     {{ "'" ~ scope.key ~ "'" if scope.key else 'null' }}){{ ',' if not loop.last }}
    {%- endfor %}
) as scopes (model_name, relation_name, reopened_by, reopened_column)
{%- else %}
select
    cast(null as {{ dbt.type_string() }}) as model_name,
    cast(null as {{ dbt.type_string() }}) as relation_name,
    cast(null as {{ dbt.type_string() }}) as reopened_by,
    cast(null as {{ dbt.type_string() }}) as reopened_column
where false
{%- endif %}
