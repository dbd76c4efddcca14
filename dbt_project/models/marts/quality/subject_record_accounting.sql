{#- Every landed record party, accounted for: in a subject database or in its quarantine. A row with
    `is_balanced` false means records went missing between the lake and the subject databases. -#}
with landed as (

    select 'population' as subject, department, resource, party, source_record_id
    from {{ ref('int_person_records_unioned') }}
    union all
    select 'legal_entities', department, resource, party, source_record_id
    from {{ ref('int_entity_records_unioned') }}
    union all
    select 'licences', department, resource, party, source_record_id
    from {{ ref('int_licence_records_unioned') }}

),

placed as (

    select source_record_id from {{ ref('person_sources') }}
    union all
    select source_record_id from {{ ref('entity_sources') }}
    union all
    select records.source_record_id
    from {{ ref('int_licence_records_unioned') }} as records
    inner join {{ ref('licences') }} as licences on records.licence_number = licences.licence_number

),

quarantined as (

    select source_record_id from {{ ref('subject_quarantine') }}

)

select
    landed.subject,
    landed.department,
    landed.resource,
    landed.party,
    count(*) as records_landed,
    count(placed.source_record_id) as records_in_subject_database,
    count(quarantined.source_record_id) as records_quarantined,
    count(*) = count(placed.source_record_id) + count(quarantined.source_record_id) as is_balanced
from landed
left join placed using (source_record_id)
left join quarantined using (source_record_id)
group by landed.subject, landed.department, landed.resource, landed.party
