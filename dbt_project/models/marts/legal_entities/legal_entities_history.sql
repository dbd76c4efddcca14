{#- legal_entities.legal_entities_history: every value each golden attribute of each legal entity has had,
    when it held and the record that supplied it: a change of legal representative, a move, a
    deregistration are each a new version; the current values are legal_entities.legal_entities. -#}
{{ config(**entity_increments_config(['entity_id'], "{{ ref('int_entity_history_digests') }}")) }}
with all_versions as (

    {{ entity_history_versions(on_incremental_run(entities_to_compute('entity_id'))) }}

),

{{ changed_entity_versions('all_versions', 'entity_id', 'int_entity_history_digests') }}

{{ golden_history('legal_entities', 'entity_id', subject_record_columns('legal_entities').golden, digests=true) }}
