{#- Every licence record of every department, in the standard columns. -#}
{{ subject_records('licences') }}
