{#- Per department, period and dimension: values checked, values passing, the score (passing share),
    problems (values failing),
    and rules failing. Only error-severity, non-waived results are scored. -#}
select
    department,
    period,
    dimension,
    cast(sum(element_count) as bigint) as values_checked,
    cast(sum(passed_count) as bigint) as values_passed,
    cast(sum(passed_count) as double) / nullif(sum(element_count), 0) as score,
    cast(sum(unexpected_count) as bigint) as problems,
    count(*) as rules_checked,
    cast(sum(case when success then 0 else 1 end) as bigint) as rules_failed
from {{ ref('fct_quality_results') }}
where is_scored
group by department, period, dimension
