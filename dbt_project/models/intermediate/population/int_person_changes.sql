{#- The person records whose input to the marts may have changed since the marts were last built, each with
    the person it belongs to now and the one it left: every party of the records the build's loads name, the
    records the linkage linked otherwise (`linkage.population_links_changed`) and those an authority
    confirmed a value of (or whose confirmation ended). What the digests and source maps kept person by
    person compute again (`entity_increments.sql`). -#}
-- depends_on: {{ ref('int_person_record_versions') }}
-- depends_on: {{ source('linkage', 'population_links') }}
-- depends_on: {{ source('linkage', 'population_links_changed') }}
-- depends_on: {{ source('stewardship', 'disputes') }}
{%- do refer_to_rows(subject_resources('population')) %}
{% if changes_wanted() %}
with records as (

    {{ changed_record_ids('population', 'int_person_record_versions') }}
    union
    {{ relinked_or_disputed_records('population') }}

)

{{ records_with_their_entities('records', 'population', 'person_id') }}
{% else %}
{{ no_changes(['source_record_id', 'person_id']) }}
{% endif %}
