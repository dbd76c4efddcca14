{#- Catalogued resources with no published delivery for `dormant_after_cycles` of their update cycles
    (standards/scoring.yml), or never delivered: what a department is asked about first. -#}
select
    department,
    resource,
    update_cycle,
    deliveries_published,
    deliveries_failed,
    last_delivered_at,
    days_since_delivery
from {{ ref('int_resource_delivery_status') }}
where is_dormant
