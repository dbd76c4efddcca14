{#- Quality by administrative division (区划), rolled up from the district branches to the city and the
    province, so a city sees which district feeds bad data. For every department, period (month and
    quarter) and division at each level (county, prefecture, province): the records its validated
    deliveries held there, and those a scored record-level check failed, each in its division
    (`record_divisions`); a record with none on the county list counts under an unknown division (null)
    at every level, so each level sums to the department's whole and a prefecture to its counties. -#}
with scored as (

    {{ scored_checks() }}

),

failing as (

    select distinct load_id, record_key from ({{ flagged_records('scored') }}) as flagged

),

validated as (

    select distinct load_id, period as month
    from {{ ref('fct_quality_results') }}
    where is_scored and load_id not in ({{ held_loads() }})

),

records as (

    select
        delivered.department,
        delivered.division_code,
        validated.month,
        case when failing.record_key is null then 0 else 1 end as is_failing
    from {{ ref('record_divisions') }} as delivered
    inner join validated on delivered.load_id = validated.load_id
    left join failing
        on delivered.load_id = failing.load_id
        and delivered.record_key = failing.record_key

),

by_county as (

    select
        periods.period,
        periods.period_kind,
        records.department,
        records.division_code,
        cast(count(*) as bigint) as records_judged,
        cast(sum(records.is_failing) as bigint) as records_failing
    from records
    inner join {{ ref('int_scoring_periods') }} as periods on records.month = periods.month
    group by periods.period, periods.period_kind, records.department, records.division_code

),

{%- set levels = [('county', 6, 4), ('prefecture', 4, 2), ('province', 2, none)] %}

rolled_up as (

    {%- for level, digits, parent in levels %}
    {%- if not loop.first %}

    union all
    {% endif %}
    select
        period,
        period_kind,
        department,
        '{{ level }}' as division_level,
        {{ division_level_code(digits) }} as division_code,
        {{ division_level_code(parent) }} as parent_division_code,
        cast(sum(records_judged) as bigint) as records_judged,
        cast(sum(records_failing) as bigint) as records_failing
    from by_county
    group by 1, 2, 3, 5, 6
    {%- endfor %}

)

select
    period,
    period_kind,
    department,
    division_level,
    division_code,
    parent_division_code,
    records_judged,
    records_failing,
    cast(records_failing as double) / records_judged as failure_rate
from rolled_up
