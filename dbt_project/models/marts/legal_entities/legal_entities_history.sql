{#- legal_entities.legal_entities_history: every value each golden attribute of each legal entity has had,
    when it held and the record that supplied it: a change of legal representative, a move, a
    deregistration are each a new version; the current values are legal_entities.legal_entities. -#}
with person_by_citizen_id as (

    {#- a record's legal representative may change: each version names its own, found by its citizen ID
        (the linkage links a record's current representative only) -#}
    select records.citizen_id, min(links.person_id) as person_id
    from {{ ref('int_person_records_unioned') }} as records
    inner join {{ source('linkage', 'population_links') }} as links using (source_record_id)
    where records.citizen_id is not null
    group by records.citizen_id

),

legal_reps as (

    select records.department, records.resource, records.load_id, records.source_row_number,
        coalesce(by_id.person_id, links.person_id) as legal_rep_person_id
    from {{ ref('int_person_record_versions') }} as records
    left join person_by_citizen_id as by_id on by_id.citizen_id = records.citizen_id
    left join {{ source('linkage', 'population_links') }} as links using (source_record_id)
    where records.party = 'legal_rep'

),

versions as (

    select links.entity_id, records.*, legal_reps.legal_rep_person_id
    from {{ ref('int_entity_record_versions') }} as records
    inner join {{ source('linkage', 'legal_entities_links') }} as links using (source_record_id)
    left join legal_reps
        on records.party = 'subject'
        and records.department = legal_reps.department
        and records.resource = legal_reps.resource
        and records.load_id = legal_reps.load_id
        and records.source_row_number = legal_reps.source_row_number

),

{{ golden_history('legal_entities', 'entity_id', subject_record_columns('legal_entities').golden) }}
