{#- Every catalogued resource as of the run's date: deliveries published and failed, when it was last
    delivered, and whether it is dormant (no published delivery for `dormant_after_cycles` of its
    update cycles, or never delivered). `current_period` is the department's latest period, the
    scorecard a resource's dormancy counts in. -#}
with loads as (

    select * from {{ source('quality', 'loads') }}

),

deliveries as (

    select
        department,
        resource,
        sum(case when status = 'published' then 1 else 0 end) as deliveries_published,
        sum(case when status in ('rejected', 'failed') then 1 else 0 end) as deliveries_failed,
        max(case when status = 'published' then delivered_at end) as last_delivered_at
    from loads
    group by department, resource

),

department_periods as (

    select department, max(period) as current_period
    from loads
    group by department

)

select
    catalogued.department,
    catalogued.resource,
    catalogued.update_cycle,
    catalogued.cycle_days,
    catalogued.dormant_after_cycles,
    cast(coalesce(deliveries.deliveries_published, 0) as bigint) as deliveries_published,
    cast(coalesce(deliveries.deliveries_failed, 0) as bigint) as deliveries_failed,
    deliveries.last_delivered_at,
    cast({{ dbt.datediff('cast(deliveries.last_delivered_at as date)', as_of_date(), 'day') }} as bigint) as days_since_delivery,
    deliveries.last_delivered_at is null
        or {{ dbt.datediff('cast(deliveries.last_delivered_at as date)', as_of_date(), 'day') }}
            > catalogued.cycle_days * catalogued.dormant_after_cycles as is_dormant,
    coalesce(
        department_periods.current_period,
        substring(cast({{ as_of_date() }} as {{ api.Column.translate_type('string') }}), 1, 7)
    ) as current_period
from {{ ref('catalogued_resources') }} as catalogued
left join deliveries
    on catalogued.department = deliveries.department and catalogued.resource = deliveries.resource
left join department_periods on catalogued.department = department_periods.department
