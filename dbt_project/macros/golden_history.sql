{#-
    The history of every golden attribute of one subject: each value with `valid_from` / `valid_to` and the
    record that supplied it. Over a `versions` CTE (one row per record version, with `id_column`,
    `valid_from`, `valid_to` and the attributes): at every point where any version of an entity begins or
    ends, the golden-record rules choose among the versions valid then, exactly as the current golden
    record chooses among the current ones; consecutive points giving the same value are one version.
    The latest value of each attribute is therefore the current golden value, a value an authority
    confirmed in a dispute included (`golden_flags`). With `digests`, each row also
    carries its entity's `input_digest` (from an `input_digests` CTE: `entity_increments.sql`).
-#}
{% macro golden_history(subject, id_column, attributes, digests=false, disputes=true) -%}
change_points as (

    select {{ id_column }}, valid_from as as_of from versions
    union
    select {{ id_column }}, valid_to as as_of from versions where valid_to is not null

),

records as (

    select change_points.as_of, versions.*
    from change_points
    inner join versions
        on versions.{{ id_column }} = change_points.{{ id_column }}
        and versions.valid_from <= change_points.as_of
        and (versions.valid_to is null or versions.valid_to > change_points.as_of)

),

{{ ranked_attribute_values(subject, id_column, attributes, at='as_of') }},

{{ golden_flags(subject, id_column, at='as_of', disputes=disputes) }},

golden_at as (

    select * from golden_flagged where is_golden

),

{#- every point of every attribute an entity ever had: a point where no version gives it ends its value -#}
timeline as (

    select
        spine.{{ id_column }},
        spine.attribute,
        change_points.as_of,
        golden_at.attribute_value,
        golden_at.department,
        golden_at.resource,
        golden_at.source_record_id,
        golden_at.is_authority
    from (select distinct {{ id_column }}, attribute from golden_at) as spine
    inner join change_points on change_points.{{ id_column }} = spine.{{ id_column }}
    left join golden_at
        on golden_at.{{ id_column }} = spine.{{ id_column }}
        and golden_at.attribute = spine.attribute
        and golden_at.as_of = change_points.as_of

),

marked as (

    select
        timeline.*,
        lag(coalesce(attribute_value, '<none>')) over (
            partition by {{ id_column }}, attribute order by as_of
        ) as previous_value
    from timeline

),

starts as (

    select
        marked.*,
        lead(as_of) over (partition by {{ id_column }}, attribute order by as_of) as valid_to
    from marked
    where previous_value is null or previous_value <> coalesce(attribute_value, '<none>')

)

select
    starts.{{ id_column }},
    starts.attribute,
    starts.attribute_value,
    starts.as_of as valid_from,
    starts.valid_to,
    starts.department,
    starts.resource,
    starts.source_record_id,
    starts.is_authority
    {%- if digests %},
    input_digests.input_digest
    {%- endif %}
from starts
{%- if digests %}
inner join input_digests on input_digests.{{ id_column }} = starts.{{ id_column }}
{%- endif %}
where attribute_value is not null
{%- endmacro %}
