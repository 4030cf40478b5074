-- One row per model an incremental build rebuilt selectively (macros/rebuilt_row_scopes.sql, from each model's
-- `reopened_by` config): its relation, what re-opened its rows, the column they are re-opened by and the day
-- column they lie on (`on_day`, if declared). Data, not SQL: the publish gate builds its own predicate per
-- kind (expectations/scope.py). Empty in a full build.
{%- set scopes = rebuilt_row_scopes() %}
{%- if scopes %}
select * from (values
    {%- for scope in scopes %}
    ('{{ scope.model }}', '{{ scope.relation }}', '{{ scope.reopened_by }}',
     {{ "'" ~ scope.key ~ "'" if scope.key else 'null' }},
     {{ "'" ~ scope.on_day ~ "'" if scope.on_day else 'cast(null as ' ~ dbt.type_string() ~ ')' }}){{ ',' if not loop.last }}
    {%- endfor %}
) as scopes (model_name, relation_name, reopened_by, reopened_column, reopened_on_day)
{%- else %}
select
    cast(null as {{ dbt.type_string() }}) as model_name,
    cast(null as {{ dbt.type_string() }}) as relation_name,
    cast(null as {{ dbt.type_string() }}) as reopened_by,
    cast(null as {{ dbt.type_string() }}) as reopened_column,
    cast(null as {{ dbt.type_string() }}) as reopened_on_day
where false
{%- endif %}
