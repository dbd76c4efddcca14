{#- population.persons_history: every value each golden attribute of each person has had, when it held
    (valid_from / valid_to, NULL while current) and the record that supplied it. A move, a marriage, a
    death are each a new version; the current values are population.persons. -#}
{{ config(**entity_increments_config(['person_id'], "{{ ref('int_person_history_digests') }}")) }}
with all_versions as (

    {{ person_history_versions(on_incremental_run(entities_to_compute('person_id'))) }}

),

{{ changed_entity_versions('all_versions', 'person_id', 'int_person_history_digests') }}

{{ golden_history('population', 'person_id', subject_record_columns('population').golden, digests=true) }}
