{#- Referential integrity (a consistency check), per batch and party: every person or legal entity a
    department's record refers to should be on the register that is the authority for its identifier
    (public security's household registry for citizens; the market-regulation and civil-affairs
    registers for legal entities). Records of the registers themselves are not references. -#}
{%- set subjects = [
    ('population', 'person_sources', 'person_id', 'citizen_id'),
    ('legal_entities', 'entity_sources', 'entity_id', 'uscc'),
] -%}

with registers as (

    select subject, attribute, department, resource
    from {{ ref('attribute_sources') }}
    where is_authority

),

{%- for subject, sources, id_column, identifier in subjects %}

{{ subject }}_registered as (

    select distinct sources.{{ id_column }} as subject_id
    from {{ ref(sources) }} as sources
    inner join registers
        on registers.subject = '{{ subject }}'
        and registers.attribute = '{{ identifier }}'
        and sources.department = registers.department
        and sources.resource = registers.resource

),

{{ subject }}_references as (

    select
        '{{ subject }}' as subject,
        sources.department,
        sources.resource,
        sources.load_id,
        sources.party,
        registered.subject_id is not null as is_registered
    from {{ ref(sources) }} as sources
    left join {{ subject }}_registered as registered on sources.{{ id_column }} = registered.subject_id
    where not exists (
        select 1 from registers
        where registers.subject = '{{ subject }}'
            and registers.attribute = '{{ identifier }}'
            and sources.department = registers.department
            and sources.resource = registers.resource
    )

),
{%- endfor %}

references_all as (
    {%- for subject, sources, id_column, identifier in subjects %}
    select * from {{ subject }}_references
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    loads.period,
    refs.department,
    refs.resource,
    refs.load_id,
    {{ quality_result_columns("concat('referential.', refs.subject, '_registered')", 'consistency',
                              'int_quality_referential_results', column_name='refs.party') }},
    count(*) as element_count,
    sum(case when refs.is_registered then 0 else 1 end) as unexpected_count
from references_all as refs
inner join {{ source('quality', 'loads') }} as loads on refs.load_id = loads.load_id
group by loads.period, refs.department, refs.resource, refs.load_id, refs.subject, refs.party
