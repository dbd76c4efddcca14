{#- The legal-entity records whose input to the marts may have changed since the marts were last built, each
    with the entity it belongs to now and the one it left: as `int_person_changes`, and the records of the
    delivered rows whose legal representative's person may have changed (a person record of theirs changed
    or was linked otherwise, or one with the same citizen ID, by which a version's representative is found). -#}
-- depends_on: {{ ref('int_person_record_versions') }}
-- depends_on: {{ ref('int_person_changes') }}
-- depends_on: {{ ref('int_entity_record_versions') }}
-- depends_on: {{ source('linkage', 'legal_entities_links') }}
-- depends_on: {{ source('linkage', 'legal_entities_links_changed') }}
-- depends_on: {{ source('stewardship', 'disputes') }}
{%- do refer_to_rows(subject_resources('legal_entities')) %}
{% if changes_wanted() %}
with changed_persons as (

    select versions.citizen_id, versions.party, versions.department, versions.resource, versions.load_id,
        versions.source_row_number
    from {{ ref('int_person_record_versions') }} as versions
    where versions.source_record_id in (select source_record_id from {{ ref('int_person_changes') }})

),

representatives as (

    select department, resource, load_id, source_row_number
    from {{ ref('int_person_record_versions') }}
    where party = 'legal_rep'
        and citizen_id in (select citizen_id from changed_persons where citizen_id is not null)
    union
    select department, resource, load_id, source_row_number from changed_persons where party = 'legal_rep'

),

records as (

    {{ changed_record_ids('legal_entities', 'int_entity_record_versions') }}
    union
    {{ relinked_or_disputed_records('legal_entities') }}
    union
    select versions.source_record_id
    from {{ ref('int_entity_record_versions') }} as versions
    inner join representatives using (department, resource, load_id, source_row_number)

)

{{ records_with_their_entities('records', 'legal_entities', 'entity_id') }}
{% else %}
{{ no_changes(['source_record_id', 'entity_id']) }}
{% endif %}
