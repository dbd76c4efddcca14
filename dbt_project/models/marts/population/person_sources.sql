{#- Every person record of every department with the person it belongs to, and how it was matched:
    `identifier` (a valid citizen ID), `probabilistic` (Splink, at or above the threshold) or
    `unmatched` (nothing matched: a person of its own). -#}
select
    records.source_record_id,
    links.person_id,
    records.department,
    records.resource,
    records.party,
    records.record_key,
    records.load_id,
    records.source_row_number,
    links.match_method,
    cast(links.match_probability as double) as match_probability,
    links.matched_record_id
from {{ ref('int_person_records_unioned') }} as records
inner join {{ source('linkage', 'population_links') }} as links using (source_record_id)
