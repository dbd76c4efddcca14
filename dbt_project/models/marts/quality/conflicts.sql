{#- Every attribute value a department gives that disagrees with the authoritative source's value for
    the same person or legal entity: the evidence behind the consistency (一致性) scores. -#}
select
    subject,
    subject_id,
    attribute,
    authority_department,
    authority_resource,
    authority_value,
    department,
    resource,
    source_record_id,
    attribute_value,
    observed_on
from {{ ref('int_attribute_comparisons') }}
where is_conflict
