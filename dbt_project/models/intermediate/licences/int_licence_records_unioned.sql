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
    concat_ws('/', department, resource, load_id,
        cast(source_row_number as {{ api.Column.translate_type('string') }}), party) as source_record_id,
    *
from unioned
