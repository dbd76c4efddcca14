{#- One row per department and period: the six dimension scores, the weighted overall score (weights
    and pass mark from standards/scoring.yml, re-normalised over the dimensions scored), pass or fail,
    problems by dimension (values failing), rank among departments, the change since the department's previous period, and repeat failures
    (rules failing in this period and the one before). -#}
{%- set dimensions = quality_dimensions() -%}

with scores as (

    select * from {{ ref('department_dimension_scores') }}

),

weights as (

    select * from {{ ref('dimension_weights') }}

),

overall as (

    select
        scores.department,
        scores.period,
        sum(scores.score * weights.weight) / sum(weights.weight) as overall_score,
        max(weights.pass_mark) as pass_mark,
        cast(sum(scores.rules_failed) as bigint) as rules_failed
    from scores
    inner join weights on scores.dimension = weights.dimension
    where scores.score is not null  {#- an empty delivery checks nothing: no score, not a zero #}
    group by scores.department, scores.period

),

failing_rules as (

    select distinct department, period, resource, column_name, rule
    from {{ ref('fct_quality_results') }}
    where is_scored and not success

),

periods as (

    select department, period, lag(period) over (partition by department order by period) as previous_period
    from overall

),

repeats as (

    select periods.department, periods.period, count(*) as repeat_failures
    from periods
    inner join failing_rules as now
        on periods.department = now.department and periods.period = now.period
    inner join failing_rules as before
        on now.department = before.department
        and periods.previous_period = before.period
        and now.resource = before.resource
        and now.column_name = before.column_name
        and now.rule = before.rule
    group by periods.department, periods.period

)

select
    overall.department,
    overall.period,
    {%- for d in dimensions %}
    max(case when scores.dimension = '{{ d }}' then scores.score end) as {{ d }}_score,
    {%- endfor %}
    {%- for d in dimensions %}
    cast(coalesce(max(case when scores.dimension = '{{ d }}' then scores.problems end), 0) as bigint) as {{ d }}_problems,
    {%- endfor %}
    overall.overall_score,
    overall.overall_score >= overall.pass_mark as is_passing,
    cast(rank() over (partition by overall.period order by overall.overall_score desc) as bigint) as rank_in_period,
    lag(overall.overall_score) over (partition by overall.department order by overall.period) as previous_score,
    overall.overall_score - lag(overall.overall_score) over (partition by overall.department order by overall.period)
        as score_change,
    overall.rules_failed,
    cast(coalesce(max(repeats.repeat_failures), 0) as bigint) as repeat_failures
from overall
inner join scores on overall.department = scores.department and overall.period = scores.period
left join repeats on overall.department = repeats.department and overall.period = repeats.period
group by overall.department, overall.period, overall.overall_score, overall.pass_mark, overall.rules_failed
