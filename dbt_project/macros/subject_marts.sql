{#- The three marts every linked subject has: its source map, its golden record and its golden-value lineage. -#}

{#- Every record party of `union_model` with the cluster the linkage put it in, and how (`links`: the
    linkage's table of links). On DuckDB kept record by record: the rows of the records `changes` names (those
    the build's loads name, and those the linkage linked otherwise: `int_person_changes`) are computed again,
    not the whole map. -#}
{% macro source_map(union_model, links, id_column, changes) -%}
{{ config(**source_map_config(changes)) }}
-- depends_on: {{ ref(changes) }}
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
inner join {{ source('linkage', links) }} as links using (source_record_id)
{%- if is_incremental() %}
where records.source_record_id in (select source_record_id from {{ ref(changes) }})
{%- endif %}
{%- endmacro %}

{% macro source_map_config(changes) -%}
    {{ return(adapter.dispatch('source_map_config', 'govlake')(changes)) }}
{%- endmacro %}

{% macro duckdb__source_map_config(changes) -%}
    {{ return(stale_rows_deleted_config(
        "source_record_id in (select source_record_id from {{ ref('" ~ changes ~ "') }})"
    )) }}
{%- endmacro %}

{% macro default__source_map_config(changes) -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}

{#- The golden value of every attribute, with where it came from and as of when; kept entity by entity
    with the values it is made of (`entity_increments.sql`). -#}
{% macro golden_lineage(values_model, id_column, digests_model) -%}
{{ config(**entity_increments_config([id_column], "{{ ref('" ~ digests_model ~ "') }}")) }}
-- depends_on: {{ ref(digests_model) }}
select
    {{ id_column }},
    attribute,
    attribute_value,
    department,
    resource,
    source_record_id,
    observed_on,
    is_authority,
    input_digest
from {{ ref(values_model) }}
where is_golden
{%- if is_incremental() %}
    and {{ id_column }} in {{ entities_to_compute(id_column) }}
{%- endif %}
{%- endmacro %}

{#- One row per entity with its golden value of each of `attributes` ({name: type}) and `extra` columns (SQL
    over the entity's golden values); every entity a record names has a row, even one none of whose values
    is valid. Kept entity by entity with the values it is made of (`entity_increments.sql`). -#}
{% macro golden_record(values_model, id_column, digests_model, attributes, extra={}) -%}
{{ config(**entity_increments_config([id_column], "{{ ref('" ~ digests_model ~ "') }}")) }}
with entities as (

    select {{ id_column }}, input_digest from {{ ref(digests_model) }}
    {%- if is_incremental() %}
    where {{ id_column }} in {{ entities_to_compute(id_column) }}
    {%- endif %}

),

golden as (

    select * from {{ ref(values_model) }}
    where is_golden
    {%- if is_incremental() %}
        and {{ id_column }} in (select {{ id_column }} from entities)
    {%- endif %}

)

select
    entities.{{ id_column }},
    {{ pivot_golden_values(attributes) }},
    {%- for name, sql in extra.items() %}
    {{ sql }} as {{ name }},
    {%- endfor %}
    entities.input_digest
from entities
left join golden on golden.{{ id_column }} = entities.{{ id_column }}
group by entities.{{ id_column }}, entities.input_digest
{%- endmacro %}
