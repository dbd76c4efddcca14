{#- Per department, period and dimension: rules judged, met and failed, the score (the weighted share of
    rules met), and the values checked, passing and failing behind them. -#}
select
    department,
    period,
    period_kind,
    dimension,
    cast(sum(values_checked) as bigint) as values_checked,
    cast(sum(values_checked - values_failing) as bigint) as values_passed,
    cast(sum(values_failing) as bigint) as problems,
    cast(count(*) as bigint) as rules_checked,
    cast(sum(case when is_met then 1 else 0 end) as bigint) as rules_met,
    cast(sum(case when is_met then 0 else 1 end) as bigint) as rules_failed,
    sum(case when is_met then weight else 0 end) / sum(weight) as score
from {{ ref('department_rule_results') }}
group by department, period, period_kind, dimension
