{#- What the linkage step compares, one row per legal-entity record. A near-miss credit code (wrong
    check character) still gives its first 17 characters and its division. -#}
{#- Kept record by record on DuckDB: a record's features are its own (`record_increments.sql`). -#}
{{ config(**record_increments_config(
    subject_resources('legal_entities'),
    changed="source_record_id in ({{ changed_record_ids('legal_entities', 'int_entity_record_versions') }})"
)) }}
-- depends_on: {{ ref('int_entity_record_versions') }}
{{- refer_to_rows(subject_resources('legal_entities')) }}
with records as (

    select * from {{ ref('int_entity_records_unioned') }}
    {%- if is_incremental() %}
    where source_record_id in ({{ changed_record_ids('legal_entities', 'int_entity_record_versions') }})
    {%- endif %}

)

select
    source_record_id,
    department,
    resource,
    party,
    uscc,
    case when length(uscc_as_given) = 18 then uscc_as_given end as uscc_as_given,
    case when length(uscc_as_given) = 18 then substring(uscc_as_given, 1, 17) end as uscc_prefix,
    entity_name,
    coalesce(division_code, case when length(uscc_as_given) = 18 then substring(uscc_as_given, 3, 6) end) as division_code,
    address,
    (uscc_as_given is not null or entity_name is not null) as is_linkable
from records
