{#- The scorecard: one row per catalogued department and period (every calendar month and quarter judged),
    whatever it delivered. The six dimension scores (rules met), the weighted overall score (weights and
    pass mark from standards/scoring.yml, re-normalised over the dimensions scored), the share of values
    passing (which breaks ties in the ranking), the single-veto items and the rules failed, by name; pass
    (score at or above the pass mark and no veto) or fail; deliveries published and late; rank among
    departments (those passing first: a veto fails a department whatever it scores), the change since the
    previous period of its kind, and repeat failures (rules failing in this period and the one before). As the authority for values others dispute: the disputes routed to it
    in the period, those still open at its end and the oldest of them in days. Rectification (整改) of its
    records flagged by record-level checks: problems opened and rectified in the period, and those still
    open at its end with the oldest's age in days. -#}
{%- set dimensions = quality_dimensions() -%}

with departments as (

    select distinct department from {{ ref('catalogued_resources') }}

),

periods as (

    select distinct period, period_kind from {{ ref('int_scoring_periods') }}

),

scores as (

    select * from {{ ref('department_dimension_scores') }}

),

weights as (

    select * from {{ ref('dimension_weights') }}

),

rules as (

    select * from {{ ref('department_rule_results') }}

),

overall as (

    select
        scores.department,
        scores.period,
        sum(scores.score * weights.weight) / sum(weights.weight) as overall_score,
        cast(sum(scores.values_passed) as double) / sum(scores.values_checked) as values_pass_rate,
        cast(sum(scores.rules_checked) as bigint) as rules_checked,
        cast(sum(scores.rules_met) as bigint) as rules_met,
        cast(sum(scores.rules_failed) as bigint) as rules_failed
    from scores
    inner join weights on scores.dimension = weights.dimension
    group by scores.department, scores.period

),

vetoes as (

    select
        department,
        period,
        cast(count(*) as bigint) as vetoes,
        {{ joined_set_agg("concat(veto, ': ', resource, case when column_name is null then '' else concat('.', column_name) end)") }} as veto_items
    from {{ ref('department_vetoes') }}
    group by department, period

),

failed as (

    select
        department,
        period,
        {{ joined_set_agg("concat(rule, ' (', resource, case when column_name is null then '' else concat('.', column_name) end, ')')") }} as failed_rules
    from rules
    where not is_met
    group by department, period

),

deliveries as (

    select resource_months.department, periods.period, cast(sum(resource_months.deliveries_published) as bigint)
        as deliveries_published
    from {{ ref('int_resource_month_status') }} as resource_months
    inner join {{ ref('int_scoring_periods') }} as periods on resource_months.month = periods.month
    group by resource_months.department, periods.period

),

late as (

    select department, period, cast(sum(values_failing) as bigint) as deliveries_late
    from rules
    where rule = 'timeliness.within_update_cycle'
    group by department, period

),

repeats as (

    select now.department, now.period, cast(count(*) as bigint) as repeat_failures
    from rules as now
    inner join rules as before
        on now.department = before.department
        and now.period_kind = before.period_kind
        and now.resource = before.resource
        and coalesce(now.column_name, '') = coalesce(before.column_name, '')
        and now.rule = before.rule
    inner join (
        select period, period_kind, lag(period) over (partition by period_kind order by period) as previous_period
        from periods
    ) as sequence
        on now.period = sequence.period and before.period = sequence.previous_period
    where not now.is_met and not before.is_met
    group by now.department, now.period

),

disputes as (

    select
        disputes.authority_department as department,
        bounds.period,
        cast(sum(case when disputes.opened_on >= bounds.period_start then 1 else 0 end) as bigint) as disputes_routed,
        cast(sum(case when disputes.resolved_on is null or disputes.resolved_on > bounds.judged_until then 1 else 0 end)
            as bigint) as disputes_open,
        max(case when disputes.resolved_on is null or disputes.resolved_on > bounds.judged_until
            then cast({{ dbt.datediff('disputes.opened_on', 'bounds.judged_until', 'day') }} as bigint) end)
            as oldest_open_dispute_days
    from {{ ref('disputes') }} as disputes
    inner join (
        select period, min(period_start) as period_start, max(judged_until) as judged_until
        from {{ ref('int_scoring_periods') }}
        group by period
    ) as bounds
        on disputes.opened_on <= bounds.judged_until
        and (disputes.resolved_on is null or disputes.resolved_on >= bounds.period_start)
    group by disputes.authority_department, bounds.period

),

rectification as (

    select
        problems.department,
        bounds.period,
        cast(sum(case when problems.opened_on >= bounds.period_start then 1 else 0 end) as bigint) as problems_opened,
        cast(sum(case when problems.status = 'rectified' and problems.closed_on <= bounds.judged_until then 1 else 0 end)
            as bigint) as problems_rectified,
        cast(sum(case when problems.closed_on is null or problems.closed_on > bounds.judged_until then 1 else 0 end)
            as bigint) as problems_open,
        max(case when problems.closed_on is null or problems.closed_on > bounds.judged_until
            then cast({{ dbt.datediff('problems.opened_on', 'bounds.judged_until', 'day') }} as bigint) end)
            as oldest_open_problem_days
    from {{ ref('rectification') }} as problems
    inner join (
        select period, min(period_start) as period_start, max(judged_until) as judged_until
        from {{ ref('int_scoring_periods') }}
        group by period
    ) as bounds
        on problems.opened_on <= bounds.judged_until
        and (problems.closed_on is null or problems.closed_on >= bounds.period_start)
    group by problems.department, bounds.period

),

cards as (

    select
        departments.department,
        periods.period,
        periods.period_kind,
        {%- for d in dimensions %}
        max(case when scores.dimension = '{{ d }}' then scores.score end) as {{ d }}_score,
        {%- endfor %}
        {%- for d in dimensions %}
        cast(coalesce(max(case when scores.dimension = '{{ d }}' then scores.problems end), 0) as bigint)
            as {{ d }}_problems,
        {%- endfor %}
        max(overall.overall_score) as overall_score,
        max(overall.values_pass_rate) as values_pass_rate,
        cast(coalesce(max(overall.rules_checked), 0) as bigint) as rules_checked,
        cast(coalesce(max(overall.rules_met), 0) as bigint) as rules_met,
        cast(coalesce(max(overall.rules_failed), 0) as bigint) as rules_failed,
        cast(coalesce(max(vetoes.vetoes), 0) as bigint) as vetoes,
        max(vetoes.veto_items) as veto_items,
        max(failed.failed_rules) as failed_rules,
        cast(coalesce(max(deliveries.deliveries_published), 0) as bigint) as deliveries_published,
        cast(coalesce(max(late.deliveries_late), 0) as bigint) as deliveries_late,
        cast(coalesce(max(repeats.repeat_failures), 0) as bigint) as repeat_failures,
        cast(coalesce(max(disputes.disputes_routed), 0) as bigint) as disputes_routed,
        cast(coalesce(max(disputes.disputes_open), 0) as bigint) as disputes_open,
        max(disputes.oldest_open_dispute_days) as oldest_open_dispute_days,
        cast(coalesce(max(rectification.problems_opened), 0) as bigint) as problems_opened,
        cast(coalesce(max(rectification.problems_rectified), 0) as bigint) as problems_rectified,
        cast(coalesce(max(rectification.problems_open), 0) as bigint) as problems_open,
        max(rectification.oldest_open_problem_days) as oldest_open_problem_days
    from departments
    cross join periods
    left join scores on departments.department = scores.department and periods.period = scores.period
    left join overall on departments.department = overall.department and periods.period = overall.period
    left join vetoes on departments.department = vetoes.department and periods.period = vetoes.period
    left join failed on departments.department = failed.department and periods.period = failed.period
    left join deliveries on departments.department = deliveries.department and periods.period = deliveries.period
    left join late on departments.department = late.department and periods.period = late.period
    left join repeats on departments.department = repeats.department and periods.period = repeats.period
    left join disputes on departments.department = disputes.department and periods.period = disputes.period
    left join rectification
        on departments.department = rectification.department and periods.period = rectification.period
    group by departments.department, periods.period, periods.period_kind

)

select
    cards.department,
    cards.period,
    cards.period_kind,
    {%- for d in dimensions %}
    cards.{{ d }}_score,
    {%- endfor %}
    {%- for d in dimensions %}
    cards.{{ d }}_problems,
    {%- endfor %}
    cards.overall_score,
    cards.values_pass_rate,
    coalesce(cards.overall_score >= pass.pass_mark, false) and cards.vetoes = 0 as is_passing,
    cast(rank() over (
        partition by cards.period
        order by
            case when coalesce(cards.overall_score >= pass.pass_mark, false) and cards.vetoes = 0 then 0 else 1 end,
            cards.overall_score desc nulls last,
            cards.values_pass_rate desc nulls last
    ) as bigint) as rank_in_period,
    lag(cards.overall_score) over (partition by cards.department, cards.period_kind order by cards.period)
        as previous_score,
    cards.overall_score
        - lag(cards.overall_score) over (partition by cards.department, cards.period_kind order by cards.period)
        as score_change,
    cards.rules_checked,
    cards.rules_met,
    cards.rules_failed,
    cards.vetoes,
    cards.veto_items,
    cards.failed_rules,
    cards.deliveries_published,
    cards.deliveries_late,
    cards.repeat_failures,
    cards.disputes_routed,
    cards.disputes_open,
    cards.oldest_open_dispute_days,
    cards.problems_opened,
    cards.problems_rectified,
    cards.problems_open,
    cards.oldest_open_problem_days
from cards
cross join (select max(pass_mark) as pass_mark from {{ ref('dimension_weights') }}) as pass
