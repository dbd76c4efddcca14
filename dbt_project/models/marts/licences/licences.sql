{#- licences.licences: one row per licence (its latest record), with its holder and the lifecycle
    problems the registers show: a licence still marked valid after its expiry date, or whose holder
    has been deregistered or had its business licence revoked. -#}

with latest as (

    select *
    from {{ ref('int_licence_records_unioned') }}
    where licence_number is not null
    qualify row_number() over (
        partition by licence_number order by observed_on desc nulls last, load_id desc, source_record_id
    ) = 1

),

holders as (

    select department, resource, load_id, source_row_number, entity_id as holder_entity_id
    from {{ ref('entity_sources') }}
    where party = 'holder'

),

entities as (

    select * from {{ ref('legal_entities') }}

)

select
    latest.licence_number,
    latest.licence_id,
    latest.resource as licence_type,
    latest.food_business_form,
    holders.holder_entity_id,
    case when entities.org_type = '9100' then entities.legal_rep_person_id end as holder_person_id,
    latest.department as issuing_department,
    latest.issuing_authority,
    latest.issued_on,
    latest.expires_on,
    latest.licence_status,
    (latest.licence_status = '1' and latest.expires_on < {{ as_of_date() }})
        as is_expired_but_valid,
    (latest.licence_status = '1' and entities.entity_status in ('2', '3')) as is_valid_for_closed_holder,
    latest.source_record_id
from latest
left join holders using (department, resource, load_id, source_row_number)
left join entities on holders.holder_entity_id = entities.entity_id
