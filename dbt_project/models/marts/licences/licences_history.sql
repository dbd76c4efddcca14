{#- licences.licences_history: every value each attribute of each licence has had, when it held and the
    record that supplied it: an issue, a renewal (a new expiry), a revocation are each a new version; the
    current values are licences.licences. -#}
with versions as (

    select * from {{ ref('int_licence_record_versions') }}
    where licence_number is not null

),

{{ golden_history('licences', 'licence_number', subject_record_columns('licences').golden, disputes=false) }}
