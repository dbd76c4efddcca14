{#-
    A history mart kept up to date entity by entity. An entity's history depends on its own record versions
    alone (and the golden-record rules), so on DuckDB the mart is an incremental model: a run digests each
    entity's input rows (`input_digest`, the sum of their hashes), computes the history again only for the
    entities whose digest differs from the one the mart holds, and replaces their rows (delete+insert by
    entity); entities left with no version at all are deleted first. Spark's Parquet tables cannot delete
    rows, so there the mart is built whole and `input_digest` is NULL. A change to the marts' code, and
    `govlake build --full-refresh`, build it whole on every engine (`pipelines/transform/build.py`).

    Usage, in a model whose input rows (one row per record version, with `id_column`) are the SQL a macro
    returns (the pre-hook that deletes entities gone calls it too, so it renders at run time):

        {{ config(**entity_increments_config('person_id', 'person_history_versions')) }}
        with all_versions as ({{ person_history_versions() }}),
        {{ changed_entity_versions('all_versions', 'person_id') }}
        {{ golden_history(..., digests=true) }}
-#}
{% macro entity_increments_config(id_column, versions_macro) -%}
    {{ return(adapter.dispatch('entity_increments_config', 'govlake')(id_column, versions_macro)) }}
{%- endmacro %}

{% macro duckdb__entity_increments_config(id_column, versions_macro) -%}
    {%- set gone = "{% if is_incremental() %}delete from {{ this }} where " ~ id_column ~ " not in (select "
        ~ id_column ~ " from ({{ " ~ versions_macro ~ "() }}) as versions){% endif %}" -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'delete+insert',
        'unique_key': id_column,
        'on_schema_change': 'fail',
        'pre_hook': [gone],
    }) }}
{%- endmacro %}

{% macro default__entity_increments_config(id_column, versions_macro) -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}

{#- An order-free digest of the rows of `alias` in a group, as hex (no run of digits to pass for a number). -#}
{% macro rows_digest(alias) -%}
    {{ return(adapter.dispatch('rows_digest', 'govlake')(alias)) }}
{%- endmacro %}

{% macro duckdb__rows_digest(alias) -%}
    md5(cast(sum(hash({{ alias }})) as varchar))
{%- endmacro %}

{% macro default__rows_digest(alias) -%}
    cast(null as string)
{%- endmacro %}

{#- `input_digests` (per entity) and `versions`: on an incremental run, the versions of the entities whose
    digest changed; else every version. -#}
{% macro changed_entity_versions(all_versions, id_column) -%}
input_digests as (

    select {{ id_column }}, {{ rows_digest('v') }} as input_digest
    from {{ all_versions }} as v
    group by {{ id_column }}

),

versions as (

    select * from {{ all_versions }}
    {%- if is_incremental() %}
    where {{ id_column }} in (
        select input_digests.{{ id_column }}
        from input_digests
        left join (select distinct {{ id_column }}, input_digest from {{ this }}) as built
            on built.{{ id_column }} = input_digests.{{ id_column }}
        where built.input_digest is distinct from input_digests.input_digest
    )
    {%- endif %}

),
{%- endmacro %}

{#- The record versions of persons, each with its person (`population.persons_history`'s input). -#}
{% macro person_history_versions() -%}
    select links.person_id, records.*
    from {{ ref('int_person_record_versions') }} as records
    inner join {{ source('linkage', 'population_links') }} as links using (source_record_id)
{%- endmacro %}

{#- The record versions of legal entities, each with its entity and the person its legal representative
    is (`legal_entities.legal_entities_history`'s input). -#}
{% macro entity_history_versions() -%}
    with person_by_citizen_id as (

        {#- a record's legal representative may change: each version names its own, found by its citizen ID
            (the linkage links a record's current representative only) -#}
        select records.citizen_id, min(links.person_id) as person_id
        from {{ ref('int_person_records_unioned') }} as records
        inner join {{ source('linkage', 'population_links') }} as links using (source_record_id)
        where records.citizen_id is not null
        group by records.citizen_id

    ),

    legal_reps as (

        select records.department, records.resource, records.load_id, records.source_row_number,
            coalesce(by_id.person_id, links.person_id) as legal_rep_person_id
        from {{ ref('int_person_record_versions') }} as records
        left join person_by_citizen_id as by_id on by_id.citizen_id = records.citizen_id
        left join {{ source('linkage', 'population_links') }} as links using (source_record_id)
        where records.party = 'legal_rep'

    ),

    versions as (

        select links.entity_id, records.*, legal_reps.legal_rep_person_id
        from {{ ref('int_entity_record_versions') }} as records
        inner join {{ source('linkage', 'legal_entities_links') }} as links using (source_record_id)
        left join legal_reps
            on records.party = 'subject'
            and records.department = legal_reps.department
            and records.resource = legal_reps.resource
            and records.load_id = legal_reps.load_id
            and records.source_row_number = legal_reps.source_row_number

    )
    select * from versions
{%- endmacro %}
