{#- population.persons_history: every value each golden attribute of each person has had, when it held
    (valid_from / valid_to, NULL while current) and the record that supplied it. A move, a marriage, a
    death are each a new version; the current values are population.persons. -#}
with versions as (

    select links.person_id, records.*
    from {{ ref('int_person_record_versions') }} as records
    inner join {{ source('linkage', 'population_links') }} as links using (source_record_id)

),

{{ golden_history('population', 'person_id', subject_record_columns('population').golden) }}
