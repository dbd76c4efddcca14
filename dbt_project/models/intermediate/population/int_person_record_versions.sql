{#- Every version of every person record and party, with when it was valid: what the history reads. -#}
{{ subject_records('population', versions=true) }}
