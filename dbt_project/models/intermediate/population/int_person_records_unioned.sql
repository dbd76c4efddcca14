{#- Every person any department's record names (a resident, a mother, a legal representative, ...):
    one row per landed record and party, in the standard columns. -#}
{%- set attributes = {
    'citizen_id': 'string',
    'citizen_id_as_given': 'string',
    'person_name': 'string',
    'sex_code': 'string',
    'birth_date': 'date',
    'ethnicity_code': 'string',
    'registered_division_code': 'string',
    'address': 'string',
    'mobile_phone': 'string',
    'household_number': 'string',
    'marital_status': 'string',
    'death_date': 'date',
    'observed_on': 'date',
} -%}
{#- attributes a record states without a field of that name, from the column it needs -#}
{%- set derived = {
    'marital_status': {
        'needs': 'civil_registration_type',
        'sql': "case civil_registration_type when 'IA' then '20' when 'IB' then '40' end",
    },
} -%}

with unioned as (
    {{ union_parties('population', attributes, derived) }}
)

select
    {#- stable across days: a record keeps its id as its versions change (one current row per key) -#}
    concat_ws('/', department, resource, record_key, party) as source_record_id,
    *
from unioned
