{#- Every catalogued resource in every month from its first delivery on (a resource is not blamed for the
    months before it was first delivered; one never delivered, for every month): its deliveries published
    in the month, and whether at the month's end (or the run's date) it was dormant: no published delivery
    for `dormant_after_cycles` of its update cycles, or none ever. The scorecards, the single-veto items and
    accessibility read it. -#}
with months as (

    select month, judged_until
    from {{ ref('int_scoring_periods') }}
    where period_kind = 'month'

),

published as (

    select department, resource, delivered_at, period
    from {{ source('quality', 'loads') }}
    where status = 'published'

),

first_deliveries as (

    select department, resource, min(period) as first_month
    from published
    group by department, resource

),

resource_months as (

    select catalogued.*, months.*
    from {{ ref('catalogued_resources') }} as catalogued
    cross join months
    left join first_deliveries
        on catalogued.department = first_deliveries.department and catalogued.resource = first_deliveries.resource
    where first_deliveries.first_month is null or months.month >= first_deliveries.first_month

),

judged as (

    select
        resource_months.department,
        resource_months.resource,
        resource_months.update_cycle,
        resource_months.cycle_days,
        resource_months.dormant_after_cycles,
        resource_months.month,
        resource_months.judged_until,
        cast(sum(case when published.period = resource_months.month then 1 else 0 end) as bigint)
            as deliveries_published,
        max(published.delivered_at) as last_delivered_at
    from resource_months
    left join published
        on resource_months.department = published.department
        and resource_months.resource = published.resource
        and cast(published.delivered_at as date) <= resource_months.judged_until
    group by
        resource_months.department, resource_months.resource, resource_months.update_cycle,
        resource_months.cycle_days, resource_months.dormant_after_cycles, resource_months.month,
        resource_months.judged_until

)

select
    department,
    resource,
    update_cycle,
    cycle_days,
    month,
    deliveries_published,
    last_delivered_at,
    last_delivered_at is null
        or {{ dbt.datediff('cast(last_delivered_at as date)', 'judged_until', 'day') }}
            > cycle_days * dormant_after_cycles as is_dormant
from judged
