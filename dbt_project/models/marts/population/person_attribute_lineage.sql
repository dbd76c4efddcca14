{#- For every person and attribute: the golden value, the department and record it came from, as of
    when, and whether that source is the attribute's authority. -#}
{{ golden_lineage('int_person_attribute_values', 'person_id', 'int_person_value_digests') }}
