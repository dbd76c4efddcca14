{#- Landed records that could not enter a subject database, each with its reason: nothing to identify
    the person or entity by (no ID number and no name), or a licence without its number. -#}
select
    'population' as subject,
    source_record_id,
    department,
    resource,
    party,
    record_key,
    load_id,
    'no_identifying_attributes' as reason
from {{ ref('int_person_records_unioned') }}
where citizen_id_as_given is null and person_name is null

union all

select
    'legal_entities',
    source_record_id,
    department,
    resource,
    party,
    record_key,
    load_id,
    'no_identifying_attributes'
from {{ ref('int_entity_records_unioned') }}
where uscc_as_given is null and entity_name is null

union all

select
    'licences',
    source_record_id,
    department,
    resource,
    party,
    record_key,
    load_id,
    'no_licence_number'
from {{ ref('int_licence_records_unioned') }}
where licence_number is null
