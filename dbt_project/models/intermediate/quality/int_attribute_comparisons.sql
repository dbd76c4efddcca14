{#- Every attribute value a department gives for a person or legal entity whose authoritative source
    (catalog/subjects/) also gives one, side by side with the authority's golden value: the values the
    consistency (一致性) dimension checks. Values are compared after standardisation, so a
    traditional-character or full-width spelling agrees; a different name, birth date or sex does not.
    A value the authority confirmed in a dispute (`is_confirmed_by_authority`) is still a conflict until
    the authority corrects its own record; the consistency score no longer counts it against the department. -#}
{%- set subjects = [
    ('population', 'int_person_attribute_values', 'person_id', 'int_person_value_digests'),
    ('legal_entities', 'int_entity_attribute_values', 'entity_id', 'int_entity_value_digests'),
] -%}
{#- kept entity by entity with the values it compares (`entity_increments.sql`) -#}
{%- set digests = [] -%}
{%- for subject, model, id_column, digests_model in subjects -%}
    {%- do digests.append("select '" ~ subject ~ "' as subject, " ~ id_column ~ " as subject_id, input_digest from {{ ref('"
        ~ digests_model ~ "') }}") %}
-- depends_on: {{ ref(digests_model) }}
{%- endfor %}
{{ config(**entity_increments_config(['subject', 'subject_id'], digests | join(' union all '))) }}

{%- for subject, model, id_column, digests_model in subjects %}
{%- if not loop.first %}

union all

{% endif %}
select
    '{{ subject }}' as subject,
    candidate.{{ id_column }} as subject_id,
    candidate.attribute,
    authority.department as authority_department,
    authority.resource as authority_resource,
    authority.source_record_id as authority_record_id,
    authority.attribute_value as authority_value,
    candidate.department,
    candidate.resource,
    candidate.load_id,
    candidate.source_record_id,
    candidate.attribute_value,
    candidate.observed_on,
    candidate.attribute_value != authority.attribute_value as is_conflict,
    candidate.is_confirmed as is_confirmed_by_authority,
    candidate.input_digest
from {{ ref(model) }} as candidate
inner join {{ ref(model) }} as authority
    on candidate.{{ id_column }} = authority.{{ id_column }}
    and candidate.attribute = authority.attribute
    and authority.value_rank = 1
    and authority.is_authority
where candidate.department != authority.department
{%- if is_incremental() %}
    {# on both sides: the authority's values of the changed entities only, not every entity's #}
    and candidate.{{ id_column }} in {{ entities_to_compute('subject_id', "subject = '" ~ subject ~ "'") }}
    and authority.{{ id_column }} in {{ entities_to_compute('subject_id', "subject = '" ~ subject ~ "'") }}
{%- endif %}
{%- endfor %}
