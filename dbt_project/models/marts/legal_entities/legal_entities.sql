{#- legal_entities.legal_entities: one row per legal entity, each attribute from its registering
    department (market regulation for enterprises, civil affairs for social organisations). -#}
with golden as (

    select * from {{ ref('int_entity_attribute_values') }}
    where is_golden

),

entities as (  -- every entity a record names, even one none of whose values is valid

    select distinct entity_id from {{ ref('entity_sources') }}

)

select
    entities.entity_id,
    {{ pivot_golden_values({
        'uscc': 'string',
        'entity_name': 'string',
        'org_type': 'string',
        'social_org_type': 'string',
        'registration_authority': 'string',
        'division_code': 'string',
        'address': 'string',
        'legal_rep_person_id': 'string',
        'entity_status': 'string',
        'established_on': 'date',
        'industry_code': 'string',
    }) }}
from entities
left join golden on golden.entity_id = entities.entity_id
group by entities.entity_id
