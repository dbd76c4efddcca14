{#- Every legal entity any department's record names (a registrant, an employer, a licence holder):
    one row per current record and party, in the standard columns. -#}
{{ subject_records('legal_entities') }}
