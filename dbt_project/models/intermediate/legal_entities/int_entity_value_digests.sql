{#- A digest of each legal entity's input to its attribute values (its records, links and confirmed disputes):
    kept for the entities whose records changed, read by every model kept legal entity by legal entity from that input
    (`entity_increments.sql`). -#}
{{ entity_digests('entity_id', entity_value_inputs, 'int_entity_changes') }}
