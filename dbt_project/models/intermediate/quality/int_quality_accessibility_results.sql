{#- Accessibility (可访问性): every delivery attempt was loadable (published, not rejected or failed),
    per batch; and every catalogued resource is alive (not dormant) at the end of every month judged. -#}
select
    period,
    department,
    resource,
    load_id,
    {{ quality_result_columns("'accessibility.delivery_loadable'", 'accessibility', 'int_quality_accessibility_results') }},
    cast(1 as bigint) as element_count,
    cast(case when status = 'published' then 0 else 1 end as bigint) as unexpected_count
from {{ source('quality', 'loads') }}
where status in ('published', 'rejected', 'failed')

union all

select
    month as period,
    department,
    resource,
    cast(null as {{ api.Column.translate_type('string') }}) as load_id,
    {{ quality_result_columns("'accessibility.resource_not_dormant'", 'accessibility', 'int_quality_accessibility_results') }},
    cast(1 as bigint) as element_count,
    cast(case when is_dormant then 1 else 0 end as bigint) as unexpected_count
from {{ ref('int_resource_month_status') }}
