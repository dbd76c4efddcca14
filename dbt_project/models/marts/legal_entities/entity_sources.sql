{#- Every legal-entity record of every department (registrant, employer, licence holder) with the
    entity it belongs to and how it was matched. -#}
{{ source_map('int_entity_records_unioned', 'legal_entities_links', 'entity_id', 'int_entity_changes') }}
