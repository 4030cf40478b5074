{#- Weight of an error's severity in the severity-weighted error score (var error_severity_weights,
    e.g. minor 1, major 3, critical 10). A severity missing from the var weighs as `unspecified`. -#}
{% macro severity_weight(severity) %}
    {%- set weights = var('error_severity_weights') -%}
    case {{ severity }}
        {%- for name, weight in weights.items() if name != 'unspecified' %}
        when '{{ name }}' then cast({{ weight }} as double)
        {%- endfor %}
        else cast({{ weights.get('unspecified', 1) }} as double)
    end
{% endmacro %}
