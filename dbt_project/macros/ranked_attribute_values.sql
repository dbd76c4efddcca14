{#-
    CTEs ending in `ranked`, over a `records` CTE (one row per record, with `id_column`):
    every non-null value of every attribute, ranked by the golden-record rules of `subject` (the
    `attribute_sources` seed, generated from catalog/subjects/): authority first, then the fallbacks
    in order, sources not named last; among equals the most recent record. Rank 1 is the golden value.
    `at`: a column of `records` the ranking is made within as well (the history ranks at each point in time).
-#}
{% macro ranked_attribute_values(subject, id_column, attributes, at=none) -%}
attribute_names as (
    {%- for attribute in attributes %}
    select '{{ attribute }}' as attribute
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

values_wide as (

    {#- one scan of the records, every attribute as text (a union per attribute scans them once each) -#}
    select
        records.{{ id_column }},
        {%- if at %}
        records.{{ at }},
        {%- endif %}
        records.source_record_id,
        records.department,
        records.resource,
        records.load_id,
        records.observed_on,
        attribute_names.attribute,
        case attribute_names.attribute
            {%- for attribute in attributes %}
            when '{{ attribute }}' then cast(records.{{ attribute }} as {{ api.Column.translate_type('string') }})
            {%- endfor %}
        end as attribute_value
    from records
    cross join attribute_names

),

values_long as (

    select * from values_wide where attribute_value is not null

),

ranked as (

    select
        values_long.*,
        coalesce(rules.priority, 99) as priority,
        coalesce(rules.is_authority, false) as is_authority,
        row_number() over (
            partition by values_long.{{ id_column }}, values_long.attribute{{ ', values_long.' ~ at if at }}
            order by
                coalesce(rules.priority, 99),
                values_long.observed_on desc nulls last,
                values_long.load_id desc,
                values_long.source_record_id
        ) as value_rank
    from values_long
    left join {{ ref('attribute_sources') }} as rules
        on rules.subject = '{{ subject }}'
        and values_long.attribute = rules.attribute
        and values_long.department = rules.department
        and values_long.resource = rules.resource

)
{%- endmacro %}
