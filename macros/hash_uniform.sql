{#- A reproducible pseudo-random number in [0, 1) from a string: the first 52 bits of its MD5 digest
    / 2⁵² (exact in a double). The same string gives the same number on every engine and every run,
    and Python's hashlib.md5 reproduces it, so hash-based draws (the calibration bootstrap) are seeded,
    portable and checkable. -#}
{% macro hash_uniform(text) %}
    {{ return(adapter.dispatch('hash_uniform', 'modqa')(text)) }}
{% endmacro %}

{% macro default__hash_uniform(text) %}
    (cast(cast(('0x' || substr(md5({{ text }}), 1, 13)) as bigint) as double) / cast(4503599627370496 as double))
{% endmacro %}

{% macro spark__hash_uniform(text) %}
    (cast(cast(conv(substr(md5({{ text }}), 1, 13), 16, 10) as bigint) as double) / cast(4503599627370496 as double))
{% endmacro %}
