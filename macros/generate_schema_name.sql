{#- Use the folder's schema name as is (staging, intermediate, marts, ...), not <target>_<schema>:
    BI reads `marts.*` whatever target built it. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema | trim }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
