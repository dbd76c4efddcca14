{#- Every value any record gives for a legal entity's attributes, ranked by the golden-record rules
    (catalog/subjects/legal_entities.yml): authority, fallbacks, then recency. Rank 1 is the golden
    value, unless the authority confirmed another in a dispute (`is_golden`). The legal
    representative is the person the linkage found for the record's legal_rep party. Kept up to date
    entity by entity (`entity_increments.sql`). -#}
{{ config(**entity_increments_config(['entity_id'], "{{ ref('int_entity_value_digests') }}")) }}
{%- set attributes = subject_record_columns('legal_entities').golden -%}

with all_records as (

    {{ entity_value_inputs(on_incremental_run(entities_to_compute('entity_id'))) }}

),

{{ changed_entity_versions('all_records', 'entity_id', 'int_entity_value_digests') }}

records as (

    select * from versions

),

{{ ranked_attribute_values('legal_entities', 'entity_id', attributes) }},

{{ golden_values('legal_entities', 'entity_id') }}
