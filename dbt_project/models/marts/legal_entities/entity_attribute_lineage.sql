{#- For every legal entity and attribute: the golden value, where it came from, as of when, and
    whether that source is the attribute's authority. -#}
select
    entity_id,
    attribute,
    attribute_value,
    department,
    resource,
    source_record_id,
    observed_on,
    is_authority
from {{ ref('int_entity_attribute_values') }}
where value_rank = 1
