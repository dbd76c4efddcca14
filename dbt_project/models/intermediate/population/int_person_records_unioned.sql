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
{#- attributes a resource states without a field of that name, and the date each record speaks for -#}
{%- set derived = {
    'civil_affairs__marriage_registrations': {
        'marital_status': "case civil_registration_type when 'IA' then '20' when 'IB' then '40' end",
        'observed_on': 'registered_on',
    },
    'public_security__household_registry': {'observed_on': 'updated_at'},
    'health__birth_records': {'observed_on': 'newborn_birth_date'},
    'health__death_records': {'observed_on': 'death_date'},
    'hr_social_security__social_insurance_enrolments': {'observed_on': 'enrolled_on'},
    'market_regulation__enterprise_registry': {'observed_on': 'updated_at'},
    'tax__taxpayer_registrations': {'observed_on': 'registered_on'},
    'civil_affairs__social_organisations': {'observed_on': 'established_on'},
} -%}

with unioned as (
    {{ union_parties('population', attributes, derived) }}
)

select
    concat_ws('/', department, resource, load_id, cast(source_row_number as {{ api.Column.translate_type('string') }}), party)
        as source_record_id,
    *
from unioned
