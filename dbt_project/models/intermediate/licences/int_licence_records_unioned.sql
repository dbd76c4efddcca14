{#- Every licence record of every department, in the standard columns. -#}
{%- set attributes = {
    'licence_number': 'string',
    'licence_id': 'string',
    'food_business_form': 'string',
    'issued_on': 'date',
    'expires_on': 'date',
    'licence_status': 'string',
    'issuing_authority': 'string',
    'observed_on': 'date',
} -%}
with unioned as (
    {{ union_parties('licences', attributes) }}
)

select
    {#- stable across days: a record keeps its id as its versions change (one current row per key) -#}
    concat_ws('/', department, resource, record_key, party) as source_record_id,
    *
from unioned
