{#- Spot checks (抽查): per spot-check run, department, period and dimension, the pass rate of the values
    of a random sample of records, with its Wilson score interval at the confidence of
    standards/scoring.yml, the way quarterly spot checks of government websites are reported. Scored
    like the scorecards: error-severity results that are not waived. -#}
with results as (

    select *
    from {{ source('quality', 'validation_results') }}
    where mode = 'spot_check' and severity = 'error' and not waived

),

sampled as (

    select
        run_id,
        department,
        period,
        dimension,
        max(validated_at) as validated_at,
        cast(sum(element_count) as bigint) as values_checked,
        cast(sum(element_count - coalesce(unexpected_count, 0)) as bigint) as values_passed,
        cast(max(element_count) as bigint) as records_sampled
    from results
    group by run_id, department, period, dimension

),

rated as (

    select
        sampled.*,
        cast(sampled.values_passed as double) / sampled.values_checked as pass_rate,
        weights.spot_check_confidence as confidence,
        weights.spot_check_z as z
    from sampled
    inner join {{ ref('dimension_weights') }} as weights on sampled.dimension = weights.dimension
    where sampled.values_checked > 0

)

select
    run_id,
    validated_at,
    department,
    period,
    dimension,
    records_sampled,
    values_checked,
    values_passed,
    pass_rate,
    confidence,
    {#- clamped: at a pass rate of 0 or 1 the bound equals the rate, up to rounding -#}
    greatest(0.0, least(pass_rate, (pass_rate + z * z / (2 * values_checked)
        - z * sqrt(pass_rate * (1 - pass_rate) / values_checked + z * z / (4.0 * values_checked * values_checked)))
        / (1 + z * z / values_checked))) as ci_low,
    least(1.0, greatest(pass_rate, (pass_rate + z * z / (2 * values_checked)
        + z * sqrt(pass_rate * (1 - pass_rate) / values_checked + z * z / (4.0 * values_checked * values_checked)))
        / (1 + z * z / values_checked))) as ci_high
from rated
