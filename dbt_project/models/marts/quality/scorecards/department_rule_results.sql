{#- Per department, period (month and quarter), resource, column and rule: values checked and failing, the
    failure rate, the rule's threshold and weight (standards/scoring.yml, `*` for a rule not named), and
    whether it is met (failure rate at or under the threshold). Only error-severity, non-waived results
    count; a rule that checked nothing in a period is not judged in it. -#}
with results as (

    select * from {{ ref('fct_quality_results') }}
    where is_scored

),

periods as (

    select month, period, period_kind from {{ ref('int_scoring_periods') }}

),

rules as (

    select * from {{ ref('scoring_rules') }}

),

judged as (

    select
        results.department,
        periods.period,
        periods.period_kind,
        results.resource,
        results.column_name,
        results.rule,
        results.dimension,
        cast(sum(results.element_count) as bigint) as values_checked,
        cast(sum(results.unexpected_count) as bigint) as values_failing
    from results
    inner join periods on results.period = periods.month
    group by
        results.department, periods.period, periods.period_kind, results.resource, results.column_name,
        results.rule, results.dimension
    having sum(results.element_count) > 0

)

select
    judged.*,
    cast(judged.values_failing as double) / judged.values_checked as failure_rate,
    coalesce(named.max_failure_rate, fallback.max_failure_rate) as max_failure_rate,
    coalesce(named.weight, fallback.weight) as weight,
    cast(judged.values_failing as double) / judged.values_checked
        <= coalesce(named.max_failure_rate, fallback.max_failure_rate) as is_met
from judged
left join rules as named on judged.rule = named.rule
cross join (select * from rules where rule = '*') as fallback
