{#- Every dispute routed to the department that is authoritative for a value (`pipelines/quality/disputes.py`,
    `govlake disputes`): the record and its value beside the authority's, the status and its age in days
    (to today while it stands, to its resolution after). Built after the build routed the conflicts it
    found, so a dispute is listed the day its conflict is. Record-level: role warehouses mask it. -#}
with disputes as (

    select * from {{ source('stewardship', 'disputes') }}

),

comparisons as (

    select * from {{ ref('int_attribute_comparisons') }}

)

select
    disputes.dispute_id,
    disputes.subject,
    comparisons.subject_id,
    disputes.attribute,
    disputes.authority_department,
    comparisons.authority_resource,
    comparisons.authority_record_id,
    comparisons.authority_value,
    disputes.department,
    disputes.resource,
    disputes.source_record_id,
    comparisons.attribute_value,
    disputes.status,
    disputes.opened_on,
    disputes.resolved_on,
    cast({{ dbt.datediff('disputes.opened_on', 'coalesce(disputes.resolved_on, ' ~ as_of_date() ~ ')', 'day') }} as bigint)
        as age_days
from disputes
left join comparisons
    on disputes.subject = comparisons.subject
    and disputes.attribute = comparisons.attribute
    and disputes.source_record_id = comparisons.source_record_id
