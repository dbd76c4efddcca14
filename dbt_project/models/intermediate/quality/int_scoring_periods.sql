{#- The periods the scorecards judge: every calendar month from the first delivery's to the run's date (or
    the last delivery's, if later), each as itself and within its calendar quarter. A row per month and
    period it falls in: `period_start`/`period_end` are the calendar bounds of the period, `judged_until`
    its end or the run's date in a period not yet over. -#}
{%- set string = api.Column.translate_type('string') -%}
with bounds as (

    select
        cast(date_trunc('month', min(delivered_at)) as date) as first_month,
        cast(date_trunc('month', greatest(max(cast(delivered_at as date)), {{ as_of_date() }})) as date) as last_month
    from {{ source('quality', 'loads') }}

),

months as (

    select {{ month_starts('first_month', 'last_month') }} as month_start
    from bounds
    where first_month is not null

),

labelled as (

    select
        month_start,
        substring(cast(month_start as {{ string }}), 1, 7) as month,
        cast(floor((month(month_start) + 2) / 3) as int) as quarter_number
    from months

),

periods as (

    select
        month,
        month as period,
        'month' as period_kind,
        month_start as period_start,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'month_start')) }} as date) as period_end
    from labelled

    union all

    select
        month,
        concat(substring(month, 1, 4), 'Q', cast(quarter_number as {{ string }})) as period,
        'quarter' as period_kind,
        make_date(year(month_start), 3 * quarter_number - 2, 1) as period_start,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 3, 'make_date(year(month_start), 3 * quarter_number - 2, 1)')) }} as date)
            as period_end
    from labelled

)

select
    month,
    period,
    period_kind,
    period_start,
    period_end,
    least(period_end, {{ as_of_date() }}) as judged_until
from periods
