{#-
    Every version of every record of one resource, derived from its immutable lake batches alone (a full
    rebuild gives the same versions): the CTEs that follow a generated staging model's `standardised`.

    Each delivered row is stamped with its version time: its `changed_at` column where the catalogue names
    one, else the clock of its load (the greatest change time the load carries, or when it was delivered).
    A record absent from a later whole snapshot has ended at that snapshot; a change row whose operation
    is a delete ends it too. Rows that repeat the record's previous content (a table read again, a
    re-sent record, a touched update time) are no new version. `valid_to` is when the next version began
    or the record ended; the current version is the one with no `valid_to`.

    `columns`: the content columns a version compares (everything but the key, lineage and change time).
    `resource` (`[department, resource]`): on an incremental run, only the records the build's loads name
    are computed (`record_increments.sql`); the clocks of the loads and snapshots are read from every row.
-#}
{% macro record_versions(rows, columns, changed_at=none, has_operation=false, resource=none) -%}
{%- set ts = api.Column.translate_type('timestamp') -%}
load_clocks as (

    select
        load_id,
        max({{ 'cast(' ~ changed_at ~ ' as ' ~ ts ~ ')' if changed_at else 'cast(null as ' ~ ts ~ ')' }}) as changed_at_max,
        max(delivered_at) as delivered_at_max,
        max(case when delivery_semantics = 'snapshot' then 1 else 0 end) = 1 as is_whole_snapshot
    from {{ rows }}
    group by load_id

),

stamped as (

    select
        r.*,
        md5(concat_ws('|',
            {%- for c in columns %}
            coalesce(cast(r.{{ c }} as {{ dbt.type_string() }}), '<null>'){% if not loop.last %},{% endif %}
            {%- endfor %}
        )) as version_fingerprint,
        {%- if has_operation %}
        coalesce(r.is_delete_operation, false) as ends_record,
        {%- else %}
        false as ends_record,
        {%- endif %}
        coalesce(
            {{ 'cast(r.' ~ changed_at ~ ' as ' ~ ts ~ ')' if changed_at else 'null' }}, clocks.changed_at_max, r.delivered_at
        ) as version_time
    from {{ rows }} as r
    inner join load_clocks as clocks on clocks.load_id = r.load_id
    {%- if resource %}
    where {{ changed_records_only(*resource, key='r.record_key') }}
    {%- endif %}

),

whole_snapshots as (

    -- the clock of every whole snapshot of the resource, whichever records the run computes
    select load_id, coalesce(changed_at_max, delivered_at_max) as version_time
    from load_clocks
    where is_whole_snapshot

),

first_seen as (

    select record_key, min(load_id) as first_load_id
    from stamped
    group by record_key

),

absent_from_a_snapshot as (

    select f.record_key, s.load_id, s.version_time
    from first_seen as f
    inner join whole_snapshots as s on s.load_id > f.first_load_id
    left join stamped as r on r.load_id = s.load_id and r.record_key = f.record_key
    where r.record_key is null

),

events as (

    select record_key, load_id, source_row_number, version_time,
        case when ends_record then '<ended>' else version_fingerprint end as fingerprint
    from stamped
    union all
    select record_key, load_id, cast(0 as bigint) as source_row_number, version_time, '<ended>' as fingerprint
    from absent_from_a_snapshot

),

sequenced as (

    select
        events.*,
        lag(fingerprint) over (
            partition by record_key order by version_time, load_id, source_row_number
        ) as previous_fingerprint
    from events

),

changed as (

    select
        sequenced.*,
        lead(version_time) over (
            partition by record_key order by version_time, load_id, source_row_number
        ) as next_version_time
    from sequenced
    where previous_fingerprint is null or previous_fingerprint <> fingerprint

),

versions as (

    select
        stamped.*,
        changed.version_time as valid_from,
        changed.next_version_time as valid_to,
        changed.next_version_time is null as is_current
    from changed
    inner join stamped
        on stamped.load_id = changed.load_id
        and stamped.source_row_number = changed.source_row_number
    where changed.fingerprint <> '<ended>'

)

select * from versions
{%- endmacro %}
