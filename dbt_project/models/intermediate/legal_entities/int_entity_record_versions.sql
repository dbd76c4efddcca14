{#- Every version of every legal-entity record and party, with when it was valid: what the history reads. -#}
{{ subject_records('legal_entities', versions=true) }}
