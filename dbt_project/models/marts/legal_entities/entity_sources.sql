{#- Every legal-entity record of every department (registrant, employer, licence holder) with the
    entity it belongs to and how it was matched. -#}
select
    records.source_record_id,
    links.entity_id,
    records.department,
    records.resource,
    records.party,
    records.record_key,
    records.load_id,
    records.source_row_number,
    links.match_method,
    cast(links.match_probability as double) as match_probability,
    links.matched_record_id
from {{ ref('int_entity_records_unioned') }} as records
inner join {{ source('linkage', 'legal_entities_links') }} as links using (source_record_id)
