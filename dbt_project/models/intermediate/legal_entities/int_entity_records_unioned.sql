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
with unioned as (
    {{ union_parties('legal_entities', attributes) }}
)

select
    {#- stable across days: a record keeps its id as its versions change (one current row per key) -#}
    concat_ws('/', department, resource, record_key, party) as source_record_id,
    *
from unioned
