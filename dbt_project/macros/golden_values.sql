{#-
    The final select over a `ranked` CTE (`ranked_attribute_values`): every value, with
    `is_confirmed` (an authority confirmed this record's value in a dispute, `govlake disputes resolve`)
    and `is_golden` (the person's or entity's value: a confirmed value where the authority confirmed one,
    else rank 1). The authority's own values keep their ranks, so its wrong value is still compared and
    the dispute stays until the authority corrects its record. Each row carries its entity's
    `input_digest`, from an `input_digests` CTE (`entity_increments.sql`).
-#}
{% macro golden_values(subject, id_column) -%}
{{ golden_flags(subject, id_column) }}

select golden_flagged.*, input_digests.input_digest
from golden_flagged
inner join input_digests on input_digests.{{ id_column }} = golden_flagged.{{ id_column }}
{%- endmacro %}

{#- CTEs ending in `golden_flagged`: the `ranked` values with `is_confirmed` and `is_golden`, chosen within
    each entity and attribute (and `at`, each point in time of a history, `golden_history`), so the current
    golden record and the latest value of the history agree on a confirmed dispute. `disputes=false`: a
    subject no dispute is routed for (licences, built before the disputes are exported), rank 1 alone. -#}
{% macro golden_flags(subject, id_column, at=none, disputes=true) -%}
{%- set within = id_column ~ ', attribute' ~ (', ' ~ at if at else '') -%}
confirmed as (

    {%- if disputes %}
    select source_record_id, attribute
    from {{ source('stewardship', 'disputes') }}
    where subject = '{{ subject }}' and status = 'confirmed'
    {%- else %}
    select source_record_id, attribute from ranked where false
    {%- endif %}

),

flagged as (

    select
        ranked.*,
        confirmed.source_record_id is not null as is_confirmed
    from ranked
    left join confirmed
        on ranked.source_record_id = confirmed.source_record_id
        and ranked.attribute = confirmed.attribute

),

overrides as (

    {#- two confirmed values for one attribute: the better ranked wins -#}
    select {{ within }}, source_record_id
    from (
        select
            {{ within }},
            source_record_id,
            row_number() over (partition by {{ within }} order by value_rank) as override_rank
        from flagged
        where is_confirmed
    ) as confirmed_values
    where override_rank = 1

),

golden_flagged as (

    select
        flagged.*,
        case
            when overrides.source_record_id is null then flagged.value_rank = 1
            else flagged.source_record_id = overrides.source_record_id
        end as is_golden
    from flagged
    left join overrides
        on flagged.{{ id_column }} = overrides.{{ id_column }}
        and flagged.attribute = overrides.attribute
        {%- if at %}
        and flagged.{{ at }} = overrides.{{ at }}
        {%- endif %}

)
{%- endmacro %}
