{#- What the linkage step compares, one row per person record. A near-miss ID (wrong check character)
    still gives its first 17 characters, birth date, sex and division; the standardised fields win
    where present. `contexts` are the households and legal entities the record is about and the people
    it names beside this party (by ID and by name): a father named without an ID on a birth certificate
    meets the man of that name in the newborn's household, or the husband of the same wife on a marriage
    record; a legal representative named without an ID meets the one another department names for the
    same company. Records sharing a context are compared whatever else they share. -#}
{#- Kept record by record on DuckDB (`person_features_to_compute`). -#}
{{ config(**record_increments_config(
    subject_resources('population'), changed="source_record_id in ({{ person_features_to_compute() }})"
)) }}
-- depends_on: {{ ref('int_person_record_versions') }}
{{- refer_to_rows(subject_resources('population')) }}
with all_records as (

    select * from {{ ref('int_person_records_unioned') }}

),

records as (

    select * from all_records
    {%- if is_incremental() %}
    where source_record_id in ({{ person_features_to_compute() }})
    {%- endif %}

),

row_parties as (

    -- every party of the delivered rows of the records computed
    select * from all_records
    {%- if is_incremental() %}
    inner join (select distinct department, resource, load_id, source_row_number from records) as computed
        using (department, resource, load_id, source_row_number)
    {%- endif %}

),

households as (

    select citizen_id, household_number
    from all_records
    where citizen_id is not null and household_number is not null
    {%- if is_incremental() %}
        and citizen_id in (select citizen_id from row_parties)
    {%- endif %}
    qualify row_number() over (partition by citizen_id order by observed_on desc nulls last, load_id desc) = 1

),

record_contexts as (

    -- the households of everyone the record names, for each of its parties
    select p.source_record_id, 'household:' || h.household_number as context
    from records as p
    inner join row_parties as r using (department, resource, load_id, source_row_number)
    inner join households as h on r.citizen_id = h.citizen_id

    union

    select p.source_record_id, 'entity:' || substring(e.uscc_as_given, 1, 17)
    from records as p
    inner join {{ ref('int_entity_records_unioned') }} as e using (department, resource, load_id, source_row_number)
    where length(e.uscc_as_given) = 18 and e.party = 'subject'

    union

    -- the others the record names, by a valid ID and by name: the father on a birth certificate and the
    -- husband on the mother's marriage record are both named with her
    select p.source_record_id, 'with:' || o.citizen_id
    from records as p
    inner join row_parties as o using (department, resource, load_id, source_row_number)
    where o.source_record_id != p.source_record_id and o.citizen_id is not null

    union

    select p.source_record_id, 'with name:' || o.person_name
    from records as p
    inner join row_parties as o using (department, resource, load_id, source_row_number)
    where o.source_record_id != p.source_record_id and o.person_name is not null

),

contexts as (

    select source_record_id, {{ sorted_set_agg("context") }} as contexts
    from record_contexts
    group by source_record_id

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
    c.contexts,
    (citizen_id_as_given is not null or person_name is not null) as is_linkable
from id_parts
left join contexts as c using (source_record_id)
