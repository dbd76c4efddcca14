{#- Single-veto items (单项否决, standards/scoring.yml), per department and period: each fails the department
    for the period whatever it scores, and is named on its scorecard.
    - dormant_resource: a catalogued resource dormant at the end of a month of the period;
    - missing_cycle: a delivery the department owes (a file: the platform's own reads of a database or
      API are as frequent as the platform makes them) came more than half a cycle after it fell due in
      the period (one update cycle after the previous delivery), or has not come by the run's date: a
      whole cycle went by without it;
    - completeness_floor: a required field filled in fewer than the floor's share of a resource's records;
    - not_shared_exposed: a not-shared resource (不予共享) reported found exposed outside the platform in the
      period (`govlake exposures report`).
    `measure`: months dormant, days the delivery was overdue, the field's completeness, or the exposures
    reported. -#}
{%- set string = api.Column.translate_type('string') -%}
with enabled as (

    select * from {{ ref('scoring_vetoes') }}
    where is_enabled

),

periods as (

    select * from {{ ref('int_scoring_periods') }}

),

judged_periods as (

    {#- a period's bounds, once per period (int_scoring_periods has a row per month of it) -#}
    select distinct period, period_kind, period_start, judged_until from periods

),

resource_months as (

    select resource_months.*, periods.period, periods.period_kind
    from {{ ref('int_resource_month_status') }} as resource_months
    inner join periods on resource_months.month = periods.month

),

dormant as (

    select
        department, period, period_kind, 'dormant_resource' as veto, resource,
        cast(null as {{ string }}) as column_name, cast(count(*) as double) as measure
    from resource_months
    where is_dormant
    group by department, period, period_kind, resource

),

deliveries as (

    select
        loads.department,
        loads.resource,
        catalogued.cycle_days,
        cast(loads.delivered_at as date) as delivered_on,
        lead(cast(loads.delivered_at as date)) over (
            partition by loads.department, loads.resource order by loads.delivered_at, loads.load_id
        ) as next_delivered_on
    from {{ source('quality', 'loads') }} as loads
    inner join {{ ref('catalogued_resources') }} as catalogued
        on loads.department = catalogued.department and loads.resource = catalogued.resource
    where loads.status = 'published' and not catalogued.is_pulled

),

dues as (

    select
        department,
        resource,
        cycle_days,
        cast({{ dbt.dateadd('day', 'cycle_days', 'delivered_on') }} as date) as due_on,
        coalesce(next_delivered_on, {{ as_of_date() }}) as answered_on
    from deliveries

),

missing as (

    select
        dues.department, periods.period, periods.period_kind, 'missing_cycle' as veto, dues.resource,
        cast(null as {{ string }}) as column_name,
        cast(max({{ dbt.datediff('dues.due_on', 'dues.answered_on', 'day') }}) as double) as measure
    from dues
    inner join judged_periods as periods
        on dues.due_on between periods.period_start and periods.judged_until
    where 2 * {{ dbt.datediff('dues.due_on', 'dues.answered_on', 'day') }} > dues.cycle_days
    group by dues.department, periods.period, periods.period_kind, dues.resource

),

incomplete as (

    select
        rules.department, rules.period, rules.period_kind, 'completeness_floor' as veto, rules.resource,
        rules.column_name, 1 - rules.failure_rate as measure
    from {{ ref('department_rule_results') }} as rules
    inner join enabled on enabled.veto = 'completeness_floor'
    where rules.rule = 'required' and 1 - rules.failure_rate < enabled.parameter

),

exposed as (

    select
        exposures.department, periods.period, periods.period_kind, 'not_shared_exposed' as veto,
        exposures.resource, cast(null as {{ string }}) as column_name, cast(count(*) as double) as measure
    from {{ source('stewardship', 'exposures') }} as exposures
    inner join judged_periods as periods
        on exposures.found_on between periods.period_start and periods.judged_until
    group by exposures.department, periods.period, periods.period_kind, exposures.resource

),

vetoes as (

    select * from dormant
    union all
    select * from missing
    union all
    select * from incomplete
    union all
    select * from exposed

)

select vetoes.*
from vetoes
inner join enabled on vetoes.veto = enabled.veto
