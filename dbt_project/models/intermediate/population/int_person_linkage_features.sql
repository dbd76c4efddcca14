{#- What the linkage step compares, one row per person record. A near-miss ID (wrong check character)
    still gives its first 17 characters, birth date, sex and division; the standardised fields win
    where present. -#}
with records as (

    select * from {{ ref('int_person_records_unioned') }}

),

id_parts as (

    select
        *,
        case when length(citizen_id_as_given) = 18 then citizen_id_as_given end as id_18,
        case when length(citizen_id_as_given) = 18 then substring(citizen_id_as_given, 1, 17) end as id_prefix,
        try_cast(
            case when length(citizen_id_as_given) = 18 then
                substring(citizen_id_as_given, 7, 4) || '-'
                || substring(citizen_id_as_given, 11, 2) || '-'
                || substring(citizen_id_as_given, 13, 2)
            end as date
        ) as id_birth_date,
        case
            when length(citizen_id_as_given) = 18 and substring(citizen_id_as_given, 17, 1) in ('1', '3', '5', '7', '9') then '1'
            when length(citizen_id_as_given) = 18 and substring(citizen_id_as_given, 17, 1) in ('0', '2', '4', '6', '8') then '2'
        end as id_sex_code
    from records

)

select
    source_record_id,
    department,
    resource,
    party,
    citizen_id,
    id_18 as citizen_id_as_given,
    id_prefix,
    person_name,
    substring(person_name, 1, 1) as surname,
    substring(person_name, 2) as given_name,
    coalesce(birth_date, id_birth_date) as birth_date,
    coalesce(sex_code, id_sex_code) as sex_code,
    coalesce(registered_division_code, substring(id_18, 1, 6)) as division_code,
    mobile_phone,
    address,
    (citizen_id_as_given is not null or person_name is not null) as is_linkable
from id_parts
