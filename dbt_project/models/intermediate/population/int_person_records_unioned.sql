{#- Every person any department's record names (a resident, a mother, a legal representative, ...):
    one row per current record and party, in the standard columns. -#}
{{ config(**record_increments_config(subject_resources('population'))) }}
{{ subject_records('population') }}
