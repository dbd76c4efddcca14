{#-
    Every record party of one subject database in its standard columns, once for the current records
    (`int_*_records_unioned`) and once for every version (`int_*_record_versions`), from one list of
    columns per subject. `source_record_id` (department/resource/record key/party) is the same for every
    version of a record, so the linkage's clusters reach a record's past versions too.
-#}
{#- Per subject: the columns of its records (`attributes`), those a record states without a field of that
    name (`derived`: from the column it needs) and the attributes of its golden record (`golden`: chosen by
    catalog/subjects/; a licence's latest record is its golden record). -#}
{% macro subject_record_columns(subject) -%}
    {%- set columns = {
        'population': {
            'attributes': {
                'citizen_id': 'string', 'citizen_id_as_given': 'string', 'person_name': 'string',
                'sex_code': 'string', 'birth_date': 'date', 'ethnicity_code': 'string',
                'registered_division_code': 'string', 'address': 'string', 'mobile_phone': 'string',
                'household_number': 'string', 'marital_status': 'string', 'death_date': 'date',
                'observed_on': 'date',
            },
            'golden': [
                'citizen_id', 'person_name', 'sex_code', 'birth_date', 'ethnicity_code', 'registered_division_code',
                'address', 'mobile_phone', 'marital_status', 'death_date',
            ],
            'derived': {
                'marital_status': {
                    'needs': 'civil_registration_type',
                    'sql': "case civil_registration_type when 'IA' then '20' when 'IB' then '40' end",
                },
            },
        },
        'legal_entities': {
            'attributes': {
                'uscc': 'string', 'uscc_as_given': 'string', 'entity_name': 'string', 'org_type': 'string',
                'social_org_type': 'string', 'registration_authority': 'string', 'division_code': 'string',
                'address': 'string', 'entity_status': 'string', 'established_on': 'date',
                'industry_code': 'string', 'observed_on': 'date',
            },
            'golden': [
                'uscc', 'entity_name', 'org_type', 'social_org_type', 'registration_authority', 'division_code',
                'address', 'legal_rep_person_id', 'entity_status', 'established_on', 'industry_code',
            ],
            'derived': {},
        },
        'licences': {
            'attributes': {
                'licence_number': 'string', 'licence_id': 'string', 'food_business_form': 'string',
                'issued_on': 'date', 'expires_on': 'date', 'licence_status': 'string',
                'issuing_authority': 'string', 'observed_on': 'date',
            },
            'golden': [
                'licence_id', 'food_business_form', 'issued_on', 'expires_on', 'licence_status', 'issuing_authority',
            ],
            'derived': {},
        },
    } -%}
    {{ return(columns[subject]) }}
{%- endmacro %}

{% macro subject_records(subject, versions=false) -%}
{%- set spec = subject_record_columns(subject) -%}
with unioned as (
    {{ union_parties(subject, spec.attributes, spec.derived, versions=versions) }}
)

select
    concat_ws('/', department, resource, record_key, party) as source_record_id,
    *
from unioned
{%- endmacro %}
