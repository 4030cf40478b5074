{#- The relation of a model an incremental filter reads (macros/is_reopened.sql). In a model, ref(): it
    fails when the model does not declare the dependency (its `-- depends_on:` comment), which orders the
    build. In a data test, the graph's relation: a test cannot ref a model it does not depend on. -#}
{% macro reopened_relation(model_name) -%}
    {%- if model.get('resource_type') == 'test' -%}
        {{ return(graph_relation(model_name)) }}
    {%- endif -%}
    {{ return(ref(model_name)) }}
{%- endmacro %}
