{#-
    The final select over a `ranked` CTE (`ranked_attribute_values`): every value, with
    `is_confirmed` (an authority confirmed this record's value in a dispute, `govlake disputes resolve`)
    and `is_golden` (the person's or entity's value: a confirmed value where the authority confirmed one,
    else rank 1). The authority's own values keep their ranks, so its wrong value is still compared and
    the dispute stays until the authority corrects its record. Each row carries its entity's
    `input_digest`, from an `input_digests` CTE (`entity_increments.sql`).
-#}
{% macro golden_values(subject, id_column) -%}
confirmed as (

    select source_record_id, attribute
    from {{ source('stewardship', 'disputes') }}
    where subject = '{{ subject }}' and status = 'confirmed'

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
    select {{ id_column }}, attribute, source_record_id
    from (
        select
            {{ id_column }},
            attribute,
            source_record_id,
            row_number() over (partition by {{ id_column }}, attribute order by value_rank) as override_rank
        from flagged
        where is_confirmed
    ) as confirmed_values
    where override_rank = 1

)

select
    flagged.*,
    case
        when overrides.source_record_id is null then flagged.value_rank = 1
        else flagged.source_record_id = overrides.source_record_id
    end as is_golden,
    input_digests.input_digest
from flagged
left join overrides
    on flagged.{{ id_column }} = overrides.{{ id_column }}
    and flagged.attribute = overrides.attribute
inner join input_digests on input_digests.{{ id_column }} = flagged.{{ id_column }}
{%- endmacro %}
