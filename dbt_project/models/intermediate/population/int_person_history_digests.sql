{#- A digest of each person's input to its history (its record versions, links and confirmed disputes): kept for the persons
    whose records changed, read by every model kept person by person from that input (`entity_increments.sql`). -#}
{{ entity_digests('person_id', person_history_versions, 'int_person_changes') }}
