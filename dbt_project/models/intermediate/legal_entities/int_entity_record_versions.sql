{#- Every version of every legal-entity record and party, with when it was valid: what the history reads. -#}
{{ config(**record_increments_config(subject_resources('legal_entities'))) }}
{{ subject_records('legal_entities', versions=true) }}
