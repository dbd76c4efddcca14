{#- The division (区划) of every record a delivery held, at county level: the record's own division code, or
    the division its party has in its subject database's golden record, as its catalogue entry says
    (`division:`): as linked, or, for a record since ended (withdrawn, or gone from a full read), the golden
    record its party's valid identifier names. NULL: no county-level code on the GB/T 2260 list. What the
    roll-ups by division (`division_scores`) count, and where a department finds the records it could not
    place. On DuckDB kept record by record: a build computes again the rows of the records
    `int_record_division_changes` lists. -#}
{{ config(**record_increments_config([], "exists (select 1 from {{ ref('int_record_division_changes') }} as changed "
    ~ "where changed.department = {{ this }}.department and changed.resource = {{ this }}.resource "
    ~ "and changed.record_key = {{ this }}.record_key)")) }}
-- depends_on: {{ ref('int_record_division_changes') }}
with counties as (

    select distinct code as division_code  -- a code reused after a change has a row per span
    from {{ ref('standard_codes') }}
    where codelist = 'division_code' and substring(code, 5, 2) <> '00'

),

golden as (

    select sources.department, sources.resource, sources.record_key, sources.party,
        persons.registered_division_code as division_code
    from {{ ref('person_sources') }} as sources
    inner join {{ ref('persons') }} as persons on sources.person_id = persons.person_id
    {{- division_changes_join('sources') }}

    union all

    select sources.department, sources.resource, sources.record_key, sources.party, entities.division_code
    from {{ ref('entity_sources') }} as sources
    inner join {{ ref('legal_entities') }} as entities on sources.entity_id = entities.entity_id
    {{- division_changes_join('sources') }}

),

identified as (  -- a record whose own has ended (withdrawn, no longer in a full read) by its party's identifier

    select 'population' as subject, citizen_id as identifier, max(registered_division_code) as division_code
    from {{ ref('persons') }}
    where citizen_id is not null
    group by citizen_id

    union all

    select 'legal_entities' as subject, uscc as identifier, max(division_code) as division_code
    from {{ ref('legal_entities') }}
    where uscc is not null
    group by uscc

),

delivered as (

    {%- call(rows) union_resource_rows() %}
    select
        delivered.department,
        delivered.resource,
        delivered.load_id,
        delivered.record_key,
        {%- if rows.division_column %}
        max(delivered.{{ rows.division_column }}) as division_code
        {%- elif rows.division_identifier %}
        max(coalesce(golden.division_code, identified.division_code)) as division_code
        {%- else %}
        max(golden.division_code) as division_code
        {%- endif %}
    from {{ ref(rows.model) }} as delivered
    {{- division_changes_join('delivered') }}
    {%- if rows.division_party %}
    left join golden
        on delivered.department = golden.department
        and delivered.resource = golden.resource
        and delivered.record_key = golden.record_key
        and golden.party = '{{ rows.division_party }}'
    {%- endif %}
    {%- if rows.division_identifier %}
    left join identified
        on identified.subject = '{{ rows.division_subject }}'
        and delivered.{{ rows.division_identifier }} = identified.identifier
    {%- endif %}
    group by delivered.department, delivered.resource, delivered.load_id, delivered.record_key
    {%- endcall %}

)

select
    delivered.department,
    delivered.resource,
    delivered.load_id,
    delivered.record_key,
    counties.division_code
from delivered
left join counties on delivered.division_code = counties.division_code
