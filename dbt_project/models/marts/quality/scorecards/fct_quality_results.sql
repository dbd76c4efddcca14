{#- Every validation result, with what passed and whether it counts toward the scores: error-severity
    results that are not waived. A batch validated twice keeps its latest result. -#}
with results as (

    select * from {{ source('quality', 'validation_results') }}
    qualify row_number() over (
        partition by load_id, column_name, rule, expectation order by validated_at desc
    ) = 1

)

select
    run_id,
    validated_at,
    period,
    department,
    resource,
    load_id,
    column_name,
    element,
    rule,
    expectation,
    dimension,
    severity,
    element_count,
    coalesce(unexpected_count, 0) as unexpected_count,
    element_count - coalesce(unexpected_count, 0) as passed_count,
    success,
    waived,
    waiver_reason,
    masked_samples,
    severity = 'error' and not waived as is_scored
from results
