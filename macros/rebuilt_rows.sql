{#- The one list of what an incremental build rebuilt selectively: per model, its incremental key and
    the SQL condition that selects the rebuilt rows (every other row is what the previous build held).
    Read by dbt's test hook (macros/get_where_subquery.sql) and, through model int_rebuilt_rows, by the
    publish gate (expectations/scope.py). Empty in a full build, on engines whose incremental models are
    full tables (Spark), and at parse time.
    Relations are looked up in the graph rather than with ref(): a test cannot ref a model it does not
    depend on. A row with a null key is always in scope: a filter on the key alone would hide it. -#}
{% macro rebuilt_row_scopes() -%}
    {%- set since = incremental_since() -%}
    {%- if since is none or incremental_materialization() != 'incremental' or not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set delivered_since = delivered_since('load_id') -%}
    {%- set reopened = graph_relation('int_reopened_decisions') -%}
    {%- set by_decision = 'decision_id is null or decision_id in (select decision_id from ' ~ reopened ~ ')' -%}
    {%- set by_day = 'decision_date is null or decision_date in (select decision_date from '
                     ~ graph_relation('int_reopened_days') ~ ')' -%}
    {%- set scopes = [
        ('stg_landing__decisions', 'decision_id', delivered_since),
        ('stg_landing__items', 'item_id', delivered_since),
        ('stg_landing__audits', 'audit_id', delivered_since),
        ('int_items_first_decided', 'item_id', 'item_id is null or item_id in (select item_id from ' ~ reopened ~ ')'),
        ('fct_decisions', 'decision_id', by_decision),
        ('int_decisions_verdicts_resolved', 'decision_id', by_decision),
        ('fct_qa_audits', 'decision_id', by_decision),
        ('agg_quality_daily', 'decision_date', by_day),
        ('agg_sla_daily', 'decision_date', by_day),
    ] -%}
    {%- set result = [] -%}
    {%- for model_name, key, condition in scopes -%}
        {%- set node = graph_node(model_name) -%}
        {%- do result.append({'model': model_name, 'relation': node.schema ~ '.' ~ node.alias, 'key': key,
                              'condition': condition}) -%}
    {%- endfor -%}
    {{ return(result) }}
{%- endmacro %}

{% macro graph_node(model_name) -%}
    {{ return(graph.nodes.values() | selectattr('name', 'equalto', model_name) | first) }}
{%- endmacro %}

{% macro graph_relation(model_name) -%}
    {%- set node = graph_node(model_name) -%}
    {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
{%- endmacro %}
