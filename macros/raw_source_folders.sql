{#- Raw relation name -> folder under <warehouse>/raw written by the ingest. -#}
{% macro raw_source_folders() %}
    {{ return({
        'items': 'items', 'decisions': 'decisions', 'audits': 'audits', 'appeals': 'appeals',
        'calibration_labels': 'calibration_labels', 'roster': 'roster', 'shifts': 'shifts',
        'trainings': 'trainings',
        'quarantine': '_quarantine', 'load_manifest': '_manifest'
    }) }}
{% endmacro %}
