{#- Every legal entity any department's record names (a registrant, an employer, a licence holder):
    one row per current record and party, in the standard columns. -#}
{{ config(**record_increments_config(subject_resources('legal_entities'))) }}
{{ subject_records('legal_entities') }}
