{#- For every legal entity and attribute: the golden value, where it came from, as of when, and
    whether that source is the attribute's authority. -#}
{{ golden_lineage('int_entity_attribute_values', 'entity_id', 'int_entity_value_digests') }}
