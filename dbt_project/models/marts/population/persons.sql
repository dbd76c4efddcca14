{#- population.persons: one row per real person, each attribute from its authoritative source
    (population.person_attribute_lineage says which and as of when). Every person a record names has a
    row, even one whose records hold no valid value at all (a legal representative named only by a name
    that failed its standard): person_sources and legal_entities point to it. -#}
{{ golden_record('int_person_attribute_values', 'person_id', 'int_person_value_digests', {
    'citizen_id': 'string',
    'person_name': 'string',
    'sex_code': 'string',
    'birth_date': 'date',
    'ethnicity_code': 'string',
    'registered_division_code': 'string',
    'address': 'string',
    'mobile_phone': 'string',
    'marital_status': 'string',
    'death_date': 'date',
}, extra={'is_deceased': "max(case when attribute = 'death_date' then 1 else 0 end) = 1"}) }}
