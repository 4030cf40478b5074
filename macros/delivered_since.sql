{#- "Delivered since the last build": the one watermark of incremental runs. `since` is the newest load the
    last successful build included (orchestration/incremental.py, read by incremental_since()); a row
    whose load is newer is new to this build. Without a recorded build every row is new. Its negation,
    `not delivered_since(...)`, is what the last build already held. -#}
{% macro delivered_since(load_id_column) -%}
    {%- set since = incremental_since() -%}
    {%- if since is none %}true{% else %}{{ load_id_column }} > '{{ since }}'{% endif -%}
{%- endmacro %}
