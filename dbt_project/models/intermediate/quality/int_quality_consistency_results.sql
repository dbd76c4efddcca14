{#- Consistency (一致性), per batch and attribute: values compared with the authoritative source's golden
    value, and those that disagree (the rows of `quality.conflicts`) unless the authority confirmed the
    department's value in a dispute (`govlake disputes resolve`). -#}
select
    loads.period,
    comparisons.department,
    comparisons.resource,
    comparisons.load_id,
    {{ quality_result_columns("'consistency.agrees_with_authority'", 'consistency', 'int_attribute_comparisons',
                              column_name='comparisons.attribute') }},
    count(*) as element_count,
    sum(case when comparisons.is_conflict and not comparisons.is_confirmed_by_authority then 1 else 0 end) as unexpected_count
from {{ ref('int_attribute_comparisons') }} as comparisons
inner join {{ source('quality', 'loads') }} as loads on comparisons.load_id = loads.load_id
group by loads.period, comparisons.department, comparisons.resource, comparisons.load_id, comparisons.attribute
