{#- Every version of every licence record, with when it was valid: what the history reads. -#}
{{ config(**record_increments_config(subject_resources('licences'))) }}
{{ subject_records('licences', versions=true) }}
