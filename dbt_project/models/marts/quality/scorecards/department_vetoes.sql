{#- Single-veto items (单项否决, standards/scoring.yml), per department and period: each fails the department
    for the period whatever it scores, and is named on its scorecard.
    - dormant_resource: a catalogued resource dormant at the end of a month of the period;
    - missing_cycle: a whole update cycle of the period ended with no delivery and no read of the
      department's system answered (a calendar month for a resource updated monthly or more often, a
      quarter for a quarterly one);
    - completeness_floor: a required field filled in fewer than the floor's share of a resource's records.
    `measure`: months dormant, cycles missed, or the field's completeness. -#}
{%- set string = api.Column.translate_type('string') -%}
with enabled as (

    select * from {{ ref('scoring_vetoes') }}
    where is_enabled

),

periods as (

    select * from {{ ref('int_scoring_periods') }}

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

missing_months as (

    select
        department, period, period_kind, 'missing_cycle' as veto, resource,
        cast(null as {{ string }}) as column_name, cast(count(*) as double) as measure
    from resource_months
    where cycle_days <= 31 and is_complete and deliveries_published + reads_unchanged = 0
    group by department, period, period_kind, resource

),

missing_quarters as (

    select
        resource_months.department, resource_months.period, resource_months.period_kind,
        'missing_cycle' as veto, resource_months.resource,
        cast(null as {{ string }}) as column_name, cast(1 as double) as measure
    from resource_months
    inner join periods
        on resource_months.period = periods.period and resource_months.month = periods.month
    where resource_months.period_kind = 'quarter' and resource_months.cycle_days > 31
        and resource_months.cycle_days <= 92 and periods.is_complete
    group by resource_months.department, resource_months.period, resource_months.period_kind, resource_months.resource
    having sum(resource_months.deliveries_published + resource_months.reads_unchanged) = 0

),

incomplete as (

    select
        rules.department, rules.period, rules.period_kind, 'completeness_floor' as veto, rules.resource,
        rules.column_name, 1 - rules.failure_rate as measure
    from {{ ref('department_rule_results') }} as rules
    inner join enabled on enabled.veto = 'completeness_floor'
    where rules.rule = 'required' and 1 - rules.failure_rate < enabled.parameter

),

vetoes as (

    select * from dormant
    union all
    select * from missing_months
    union all
    select * from missing_quarters
    union all
    select * from incomplete

)

select vetoes.*
from vetoes
inner join enabled on vetoes.veto = enabled.veto
