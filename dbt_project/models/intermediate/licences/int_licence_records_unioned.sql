{#- Every licence record of every department, in the standard columns. -#}
{{ config(**record_increments_config(subject_resources('licences'))) }}
{{ subject_records('licences') }}
