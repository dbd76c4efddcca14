{#- Every value any record gives for a person's attributes, ranked by the golden-record rules: the
    authority first (catalog/subjects/population.yml), then the fallbacks in order, then the most
    recent record. Rank 1 is the golden value, unless the authority confirmed another in a dispute
    (`is_golden`). -#}
{%- set attributes = subject_record_columns('population').golden -%}

with records as (

    select
        links.person_id,
        records.*
    from {{ ref('int_person_records_unioned') }} as records
    inner join {{ source('linkage', 'population_links') }} as links using (source_record_id)

),

{{ ranked_attribute_values('population', 'person_id', attributes) }},

{{ golden_values('population', 'person_id') }}
