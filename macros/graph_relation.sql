{#- The relation of a project model looked up in the graph, for code that cannot ref() it (a data test
    reading a model it does not depend on). -#}
{% macro graph_relation(model_name) -%}
    {%- set node = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
                   | selectattr('name', 'equalto', model_name) | first -%}
    {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
{%- endmacro %}
