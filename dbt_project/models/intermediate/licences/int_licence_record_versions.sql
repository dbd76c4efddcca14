{#- Every version of every licence record, with when it was valid: what the history reads. -#}
{{ subject_records('licences', versions=true) }}
