{#- A model's `reopened_by` (meta config, macros/reopened_by_kinds.sql), checked: a missing or unknown value is
    a compilation error naming the model and the values it may take. -#}
{% macro checked_reopened_by(reopened_by, model_name, allowed=none) -%}
    {%- set allowed = allowed or reopened_by_kinds().keys() | list -%}
    {%- if reopened_by not in allowed -%}
        {{ exceptions.raise_compiler_error(
            "model " ~ model_name ~ ": config meta reopened_by is " ~ (reopened_by or "missing") ~ "; an incremental "
            ~ "model declares what re-opens its rows, one of: " ~ allowed | join(', ')
            ~ " (macros/reopened_by_kinds.sql)") }}
    {%- endif -%}
    {{ return(reopened_by) }}
{%- endmacro %}
