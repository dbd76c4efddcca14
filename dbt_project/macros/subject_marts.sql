{#- The two marts every linked subject has: its source map and its golden-value lineage. -#}

{#- Every record party of `union_model` with the cluster the linkage put it in, and how. -#}
{% macro source_map(union_model, links, id_column) -%}
select
    records.source_record_id,
    links.{{ id_column }},
    records.department,
    records.resource,
    records.party,
    records.record_key,
    records.load_id,
    records.source_row_number,
    links.match_method,
    cast(links.match_probability as double) as match_probability,
    links.matched_record_id
from {{ ref(union_model) }} as records
inner join {{ links }} as links using (source_record_id)
{%- endmacro %}

{#- The rank-1 (golden) value of every attribute, with where it came from and as of when. -#}
{% macro golden_lineage(values_model, id_column) -%}
select
    {{ id_column }},
    attribute,
    attribute_value,
    department,
    resource,
    source_record_id,
    observed_on,
    is_authority
from {{ ref(values_model) }}
where is_golden
{%- endmacro %}
