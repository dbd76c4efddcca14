{#- Every value any record gives for a person's attributes, ranked by the golden-record rules: the
    authority first (catalog/subjects/population.yml), then the fallbacks in order, then the most
    recent record. Rank 1 is the golden value, unless the authority confirmed another in a dispute
    (`is_golden`). Kept up to date person by person (`entity_increments.sql`): a day ranks again the
    values of the persons whose records, links or confirmed disputes changed. -#}
{{ config(**entity_increments_config(['person_id'], "{{ ref('int_person_value_digests') }}")) }}
{%- set attributes = subject_record_columns('population').golden -%}

with all_records as (

    {{ person_value_inputs(on_incremental_run(entities_to_compute('person_id'))) }}

),

{{ changed_entity_versions('all_records', 'person_id', 'int_person_value_digests') }}

records as (

    select * from versions

),

{{ ranked_attribute_values('population', 'person_id', attributes) }},

{{ golden_values('population', 'person_id') }}
