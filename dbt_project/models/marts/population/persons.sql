{#- population.persons: one row per real person, each attribute from its authoritative source
    (population.person_attribute_lineage says which and as of when). -#}
with golden as (

    select * from {{ ref('int_person_attribute_values') }}
    where value_rank = 1

)

select
    person_id,
    {{ pivot_golden_values({
        'citizen_id': 'string',
        'person_name': 'string',
        'sex_code': 'string',
        'birth_date': 'date',
        'ethnicity_code': 'string',
        'registered_division_code': 'string',
        'address': 'string',
        'mobile_phone': 'string',
        'marital_status': 'string',
        'death_date': 'date',
    }) }},
    max(case when attribute = 'death_date' then 1 else 0 end) = 1 as is_deceased
from golden
group by person_id
