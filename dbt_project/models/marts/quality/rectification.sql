{#- Rectification (整改): every record a record-level check flagged, followed across its department's later
    deliveries of the same record. One row per problem (department, resource, rule, column, record key),
    opened the day the record was first delivered failing. It is `rectified` the day a later delivery of
    the record passes that check (a delivery counts once its validation is stored), `gone` when a later
    delivery withdraws the record (a change feed's delete, or a whole snapshot without it: a table's full
    read, as the subject databases end it), and `open` otherwise, aged to today; a problem
    failed by more than one delivery is a repeat failure. A delivery the quality gate held back opens none:
    its records never reached the subject databases. Record-level: role warehouses show a department its
    own. -#}
with scored as (

    {{ scored_checks() }}

),

flagged as (

    {{ flagged_records('scored') }}

),

flagged_records as (

    select distinct department, resource, record_key from flagged

),

deliveries as (

    {%- call(rows) union_resource_rows() %}
    select
        delivered.department,
        delivered.resource,
        delivered.record_key,
        delivered.load_id,
        max(delivered.delivered_at) as delivered_at,
        {{ 'max(case when delivered.is_delete_operation then 1 else 0 end) = 1' if rows.deletes else 'false' }}
            as is_withdrawal
    from {{ ref(rows.model) }} as delivered
    inner join flagged_records
        on delivered.department = flagged_records.department
        and delivered.resource = flagged_records.resource
        and delivered.record_key = flagged_records.record_key
    group by delivered.department, delivered.resource, delivered.record_key, delivered.load_id

    union all

    {# a whole snapshot (a full read of a table, a complete workbook) without the record withdraws it #}
    select
        flagged_records.department,
        flagged_records.resource,
        flagged_records.record_key,
        snapshots.load_id,
        snapshots.delivered_at,
        true as is_withdrawal
    from (
        select load_id, max(delivered_at) as delivered_at
        from {{ ref(rows.model) }}
        where delivery_semantics = 'snapshot'
        group by load_id
    ) as snapshots
    inner join flagged_records
        on flagged_records.department = '{{ rows.department }}'
        and flagged_records.resource = '{{ rows.resource }}'
    left join {{ ref(rows.model) }} as present
        on present.load_id = snapshots.load_id
        and present.record_key = flagged_records.record_key
    where present.record_key is null
    {%- endcall %}

),

problems as (

    select distinct department, resource, rule, column_name, record_key from flagged

),

followed as (

    select
        problems.department,
        problems.resource,
        problems.rule,
        problems.column_name,
        problems.record_key,
        deliveries.delivered_at,
        deliveries.is_withdrawal,
        failing.load_id is not null and not deliveries.is_withdrawal as is_failing,  -- a withdrawal ends it
        checked.load_id is not null as is_checked
    from problems
    inner join deliveries
        on problems.department = deliveries.department
        and problems.resource = deliveries.resource
        and problems.record_key = deliveries.record_key
    left join flagged as failing
        on deliveries.load_id = failing.load_id
        and problems.record_key = failing.record_key
        and problems.rule = failing.rule
        and problems.column_name = failing.column_name
    left join scored as checked
        on deliveries.load_id = checked.load_id
        and problems.rule = checked.rule
        and problems.column_name = checked.column_name

),

spans as (

    select
        department,
        resource,
        rule,
        column_name,
        record_key,
        min(case when is_failing then delivered_at end) as opened_at,
        max(case when is_failing then delivered_at end) as last_failed_at,
        cast(sum(case when is_failing then 1 else 0 end) as bigint) as deliveries_failing
    from followed
    group by department, resource, rule, column_name, record_key
    having sum(case when is_failing then 1 else 0 end) > 0

),

closed as (

    select
        followed.department,
        followed.resource,
        followed.rule,
        followed.column_name,
        followed.record_key,
        min(case when followed.is_withdrawal then followed.delivered_at end) as withdrawn_at,
        min(case when not followed.is_withdrawal and followed.is_checked and not followed.is_failing
            then followed.delivered_at end) as passed_at
    from followed
    inner join spans
        on followed.department = spans.department
        and followed.resource = spans.resource
        and followed.rule = spans.rule
        and followed.column_name = spans.column_name
        and followed.record_key = spans.record_key
    where followed.delivered_at > spans.last_failed_at
    group by followed.department, followed.resource, followed.rule, followed.column_name, followed.record_key

),

judged as (

    select
        spans.*,
        case
            when closed.withdrawn_at is not null
                and (closed.passed_at is null or closed.withdrawn_at <= closed.passed_at) then 'gone'
            when closed.passed_at is not null then 'rectified'
            else 'open'
        end as status,
        cast(case
            when closed.withdrawn_at is not null
                and (closed.passed_at is null or closed.withdrawn_at <= closed.passed_at) then closed.withdrawn_at
            else closed.passed_at
        end as date) as closed_on
    from spans
    left join closed
        on spans.department = closed.department
        and spans.resource = closed.resource
        and spans.rule = closed.rule
        and spans.column_name = closed.column_name
        and spans.record_key = closed.record_key

)

select
    department,
    resource,
    rule,
    column_name,
    record_key,
    cast(opened_at as date) as opened_on,
    status,
    closed_on,
    deliveries_failing,
    deliveries_failing > 1 as is_repeat,
    cast({{ dbt.datediff('cast(opened_at as date)', 'coalesce(closed_on, ' ~ as_of_date() ~ ')', 'day') }} as bigint)
        as age_days
from judged
