{#- Every version of every person record and party, with when it was valid: what the history reads. -#}
{{ config(**record_increments_config(subject_resources('population'))) }}
{{ subject_records('population', versions=true) }}
