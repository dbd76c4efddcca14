{#- Every quality result of a full validation, with what passed and whether it counts toward the
    scores (error-severity results that are not waived): the GX validation results (conformity,
    accuracy, completeness, cross-field consistency) and those computed here from the subject
    databases and the load ledger (consistency with the authority, referential integrity,
    timeliness, accessibility). A batch validated twice keeps its latest result. -#}
{%- set keys = ['period', 'department', 'resource', 'load_id', 'column_name', 'element', 'rule', 'expectation',
                'dimension', 'severity'] -%}
{%- set computed = [
    'int_quality_consistency_results',
    'int_quality_referential_results',
    'int_quality_timeliness_results',
    'int_quality_accessibility_results',
] -%}

with validated as (

    select * from {{ source('quality', 'validation_results') }}
    where coalesce(mode, 'full') = 'full'
    qualify row_number() over (
        partition by load_id, column_name, rule, expectation order by validated_at desc
    ) = 1

),

results as (

    select
        run_id,
        validated_at,
        {{ keys | join(', ') }},
        element_count,
        coalesce(unexpected_count, 0) as unexpected_count,
        success,
        waived,
        waiver_reason,
        masked_samples
    from validated
    {%- for model in computed %}

    union all

    select
        '{{ invocation_id }}' as run_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as validated_at,
        {{ keys | join(', ') }},
        cast(element_count as bigint) as element_count,
        cast(unexpected_count as bigint) as unexpected_count,
        unexpected_count = 0 as success,
        false as waived,
        cast(null as {{ api.Column.translate_type('string') }}) as waiver_reason,
        '[]' as masked_samples
    from {{ ref(model) }}
    {%- endfor %}

)

select
    *,
    element_count - unexpected_count as passed_count,
    severity = 'error' and not waived as is_scored
from results
