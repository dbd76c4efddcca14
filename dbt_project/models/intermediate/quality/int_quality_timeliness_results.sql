{#- Timeliness (时效性), per published batch of a resource the department delivers (a file: a resource the
    platform reads from the department's database or API is as fresh as the platform's reads): delivered
    within one update cycle of the resource's previous delivery (the first delivery of a resource has
    nothing to be late against). Delivered is when the department delivered (a file's time), not when the
    platform landed it. `grace_days` (standards/scoring.yml) are allowed beyond the cycle. -#}
with published as (

    select
        loads.*,
        lag(loads.delivered_at) over (
            partition by loads.department, loads.resource order by loads.delivered_at, loads.started_at
        ) as previous_delivered_at
    from {{ source('quality', 'loads') }} as loads
    where loads.status = 'published'

)

select
    published.period,
    published.department,
    published.resource,
    published.load_id,
    {{ quality_result_columns("'timeliness.within_update_cycle'", 'timeliness', 'int_quality_timeliness_results') }},
    cast(1 as bigint) as element_count,
    cast(
        case
            when published.previous_delivered_at is null then 0
            when {{ dbt.datediff('published.previous_delivered_at', 'published.delivered_at', 'day') }}
                > catalogued.cycle_days + catalogued.grace_days then 1
            else 0
        end as bigint
    ) as unexpected_count
from published
inner join {{ ref('catalogued_resources') }} as catalogued
    on published.department = catalogued.department and published.resource = catalogued.resource
where not catalogued.is_pulled
