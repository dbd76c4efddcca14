{#- Every legal entity any department's record names (a registrant, an employer, a licence holder):
    one row per landed record and party, in the standard columns. -#}
{%- set attributes = {
    'uscc': 'string',
    'uscc_as_given': 'string',
    'entity_name': 'string',
    'org_type': 'string',
    'social_org_type': 'string',
    'registration_authority': 'string',
    'division_code': 'string',
    'address': 'string',
    'entity_status': 'string',
    'established_on': 'date',
    'industry_code': 'string',
    'observed_on': 'date',
} -%}
{%- set derived = {
    'market_regulation__enterprise_registry': {'observed_on': 'updated_at'},
    'market_regulation__food_business_licences': {'observed_on': 'updated_at'},
    'civil_affairs__social_organisations': {'observed_on': 'established_on'},
    'tax__taxpayer_registrations': {'observed_on': 'registered_on'},
    'hr_social_security__social_insurance_enrolments': {'observed_on': 'enrolled_on'},
} -%}

with unioned as (
    {{ union_parties('legal_entities', attributes, derived) }}
)

select
    concat_ws('/', department, resource, load_id, cast(source_row_number as {{ api.Column.translate_type('string') }}), party)
        as source_record_id,
    *
from unioned
