{#- The records (department, resource, record key) whose rows of `record_divisions` a build computes again:
    those its loads deliver, and those whose division may have changed: a party's record or link changed,
    its person or entity may have another golden record (`int_person_changes`, `int_entity_changes`), or it
    names by its identifier a person or entity that has or had one. Each such change comes from a record the
    build's loads or the linkage changed, so the versions of those records hold every identifier it touched. -#}
{%- set subjects = [
    {'name': 'population', 'id': 'person_id', 'identifier': 'citizen_id', 'changes': 'int_person_changes',
     'versions': 'int_person_record_versions', 'sources': 'person_sources', 'golden': 'persons'},
    {'name': 'legal_entities', 'id': 'entity_id', 'identifier': 'uscc', 'changes': 'int_entity_changes',
     'versions': 'int_entity_record_versions', 'sources': 'entity_sources', 'golden': 'legal_entities'},
] %}
{%- for s in subjects %}{% for m in (s.changes, s.versions, s.sources, s.golden) %}{% do ref(m) %}{% endfor %}{% endfor %}
{%- for rows in resource_rows_models() %}{% do ref(rows.model) %}{% endfor %}
{% if changes_wanted() %}
with
{%- for s in subjects %}

{{ s.name }}_changed as (  -- the persons or entities whose golden record may have changed

    select distinct {{ s.id }} from {{ ref(s.changes) }} where {{ s.id }} is not null

),
{%- endfor %}

identifiers as (
{%- for s in subjects %}

    select '{{ s.name }}' as subject, {{ s.identifier }} as identifier
    from {{ ref(s.golden) }}
    where {{ s.id }} in (select {{ s.id }} from {{ s.name }}_changed) and {{ s.identifier }} is not null
    union
    select '{{ s.name }}', {{ s.identifier }}
    from {{ ref(s.versions) }}
    where source_record_id in (select source_record_id from {{ ref(s.changes) }}) and {{ s.identifier }} is not null
    {%- if not loop.last %}
    union
    {%- endif %}
{%- endfor %}

),

parties as (  -- a party's record or link changed, or its person's or entity's golden record may have
{%- for s in subjects %}

    select department, resource, record_key, party
    from {{ ref(s.versions) }}
    where source_record_id in (select source_record_id from {{ ref(s.changes) }})
    union
    select department, resource, record_key, party
    from {{ ref(s.sources) }}
    where {{ s.id }} in (select {{ s.id }} from {{ s.name }}_changed)
    {%- if not loop.last %}
    union
    {%- endif %}
{%- endfor %}

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
