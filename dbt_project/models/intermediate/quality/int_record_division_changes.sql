{#- The records (department, resource, record key) whose rows of `record_divisions` a build computes again:
    those its loads deliver, and those whose division may have changed: a party's record or link changed,
    its person or entity may have another golden record (`int_person_changes`, `int_entity_changes`), or it
    names by its identifier a person or entity that has or had one. Each such change comes from a record the
    build's loads or the linkage changed, so the versions of those records hold every identifier it touched. -#}
-- depends_on: {{ ref('int_person_changes') }}
-- depends_on: {{ ref('int_entity_changes') }}
-- depends_on: {{ ref('persons') }}
-- depends_on: {{ ref('legal_entities') }}
-- depends_on: {{ ref('int_person_record_versions') }}
-- depends_on: {{ ref('int_entity_record_versions') }}
-- depends_on: {{ ref('person_sources') }}
-- depends_on: {{ ref('entity_sources') }}
{%- for rows in resource_rows_models() %}{% do ref(rows.model) %}{% endfor %}
{% if changes_wanted() %}
with persons as (

    select distinct person_id from {{ ref('int_person_changes') }} where person_id is not null

),

entities as (

    select distinct entity_id from {{ ref('int_entity_changes') }} where entity_id is not null

),

identifiers as (

    select 'population' as subject, citizen_id as identifier
    from {{ ref('persons') }}
    where person_id in (select person_id from persons) and citizen_id is not null
    union
    select 'population', citizen_id
    from {{ ref('int_person_record_versions') }}
    where source_record_id in (select source_record_id from {{ ref('int_person_changes') }}) and citizen_id is not null
    union
    select 'legal_entities', uscc
    from {{ ref('legal_entities') }}
    where entity_id in (select entity_id from entities) and uscc is not null
    union
    select 'legal_entities', uscc
    from {{ ref('int_entity_record_versions') }}
    where source_record_id in (select source_record_id from {{ ref('int_entity_changes') }}) and uscc is not null

),

parties as (  -- a party's record or link changed, or its person's or entity's golden record may have

    select department, resource, record_key, party
    from {{ ref('int_person_record_versions') }}
    where source_record_id in (select source_record_id from {{ ref('int_person_changes') }})
    union
    select department, resource, record_key, party
    from {{ ref('person_sources') }}
    where person_id in (select person_id from persons)
    union
    select department, resource, record_key, party
    from {{ ref('int_entity_record_versions') }}
    where source_record_id in (select source_record_id from {{ ref('int_entity_changes') }})
    union
    select department, resource, record_key, party
    from {{ ref('entity_sources') }}
    where entity_id in (select entity_id from entities)

)

{%- call(rows) union_resource_rows() %}
select distinct delivered.department, delivered.resource, delivered.record_key
from {{ ref(rows.model) }} as delivered
where delivered.load_id in (select load_id from {{ increment_loads() }})
    {%- if rows.division_party %}
    or delivered.record_key in (
        select record_key from parties
        where department = '{{ rows.department }}' and resource = '{{ rows.resource }}'
            and party = '{{ rows.division_party }}'
    )
    {%- endif %}
    {%- if rows.division_identifier %}
    or delivered.{{ rows.division_identifier }} in (
        select identifier from identifiers where subject = '{{ rows.division_subject }}'
    )
    {%- endif %}
{%- endcall %}
{% else %}
{{ no_changes(['department', 'resource', 'record_key']) }}
{% endif %}
