{#- For every person and attribute: the golden value, the department and record it came from, as of
    when, and whether that source is the attribute's authority. -#}
select
    person_id,
    attribute,
    attribute_value,
    department,
    resource,
    source_record_id,
    observed_on,
    is_authority
from {{ ref('int_person_attribute_values') }}
where value_rank = 1
