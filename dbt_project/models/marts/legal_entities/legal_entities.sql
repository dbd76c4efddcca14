{#- legal_entities.legal_entities: one row per legal entity, each attribute from its registering
    department (market regulation for enterprises, civil affairs for social organisations). Every entity a
    record names has a row, even one none of whose values is valid. -#}
{{ golden_record('int_entity_attribute_values', 'entity_id', 'int_entity_value_digests', {
    'uscc': 'string',
    'entity_name': 'string',
    'org_type': 'string',
    'social_org_type': 'string',
    'registration_authority': 'string',
    'division_code': 'string',
    'address': 'string',
    'legal_rep_person_id': 'string',
    'entity_status': 'string',
    'established_on': 'date',
    'industry_code': 'string',
}) }}
