{#- Every value any record gives for a legal entity's attributes, ranked by the golden-record rules
    (catalog/subjects/legal_entities.yml): authority, fallbacks, then recency. Rank 1 is the golden
    value, unless the authority confirmed another in a dispute (`is_golden`). The legal
    representative is the person the linkage found for the record's legal_rep party. -#}
{%- set attributes = subject_record_columns('legal_entities').golden -%}

with legal_reps as (

    select
        records.department,
        records.resource,
        records.load_id,
        records.source_row_number,
        links.person_id as legal_rep_person_id
    from {{ ref('int_person_records_unioned') }} as records
    inner join {{ source('linkage', 'population_links') }} as links using (source_record_id)
    where records.party = 'legal_rep'

),

records as (

    select
        links.entity_id,
        records.*,
        legal_reps.legal_rep_person_id
    from {{ ref('int_entity_records_unioned') }} as records
    inner join {{ source('linkage', 'legal_entities_links') }} as links using (source_record_id)
    left join legal_reps
        on records.party = 'subject'
        and records.department = legal_reps.department
        and records.resource = legal_reps.resource
        and records.load_id = legal_reps.load_id
        and records.source_row_number = legal_reps.source_row_number

),

{{ ranked_attribute_values('legal_entities', 'entity_id', attributes) }},

{{ golden_values('legal_entities', 'entity_id') }}
