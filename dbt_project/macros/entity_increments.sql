{#-
    A model kept up to date entity by entity (the attribute values and the history of persons and legal
    entities). An entity's rows depend on its own input rows alone (and the golden-record rules), so on
    DuckDB the model is incremental: a run digests each entity's input rows (`input_digest`, the sum of
    their hashes); a pre-hook deletes the rows of every entity whose digest is not the one its rows were
    computed from (changed, or gone: no input left), and the model computes the entities it no longer holds
    (`changed_entity_versions`), appended. An entity whose input gives no row at all is computed again on
    every run, at the cost of its own rows. Spark's Parquet tables cannot delete rows, so there the model
    is built whole and `input_digest` is NULL. A change to the marts' code, and
    `govlake build --full-refresh`, build it whole on every engine (`pipelines/transform/build.py`).

    Usage, in a model whose input rows (with `id_column`) are the SQL a macro returns (the pre-hook calls
    it too, so it renders at run time):

        {{ config(**entity_increments_config('person_id', 'person_history_versions')) }}
        with all_versions as ({{ person_history_versions() }}),
        {{ changed_entity_versions('all_versions', 'person_id') }}
        {{ golden_history(..., digests=true) }}
-#}
{% macro entity_increments_config(id_column, versions_macro) -%}
    {{ return(adapter.dispatch('entity_increments_config', 'govlake')(id_column, versions_macro)) }}
{%- endmacro %}

{% macro duckdb__entity_increments_config(id_column, versions_macro) -%}
    {%- set stale = "{% if is_incremental() %}delete from {{ this }} where not exists (select 1 from (select "
        ~ id_column ~ ", {{ rows_digest('v') }} as input_digest from ({{ " ~ versions_macro ~ "() }}) as v group by "
        ~ id_column ~ ") as now where now." ~ id_column ~ " = {{ this }}." ~ id_column
        ~ " and now.input_digest = {{ this }}.input_digest){% endif %}" -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'on_schema_change': 'fail',
        'pre_hook': [stale],
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

{#- `input_digests` (per entity) and `versions`: on an incremental run, the input rows of the entities the
    model no longer holds (the pre-hook deleted those whose digest changed); else every input row. -#}
{% macro changed_entity_versions(all_versions, id_column) -%}
input_digests as (

    select {{ id_column }}, {{ rows_digest('v') }} as input_digest
    from {{ all_versions }} as v
    group by {{ id_column }}

),

versions as (

    select * from {{ all_versions }} as v
    {%- if is_incremental() %}
    {# the few entities to compute first, then their rows: an anti join of every input row against every
       row held took 5 s at a million people #}
    where v.{{ id_column }} in (
        select {{ id_column }} from input_digests
        where {{ id_column }} not in (select distinct {{ id_column }} from {{ this }})
    )
    {%- endif %}

),
{%- endmacro %}

{#- The records of persons, each with its person and the attributes an authority confirmed of it in a
    dispute (`int_person_attribute_values`' input: a confirmation changes the entity's golden record). -#}
{% macro person_value_inputs() -%}
    select links.person_id, records.*, confirmed.attributes as confirmed_attributes
    from {{ ref('int_person_records_unioned') }} as records
    inner join {{ source('linkage', 'population_links') }} as links using (source_record_id)
    left join ({{ confirmed_attributes('population') }}) as confirmed using (source_record_id)
{%- endmacro %}

{#- The records of legal entities, each with its entity, the person the linkage found for the record's
    legal representative, and the attributes an authority confirmed (`int_entity_attribute_values`' input). -#}
{% macro entity_value_inputs() -%}
    with legal_reps as (

        select
            records.department,
            records.resource,
            records.load_id,
            records.source_row_number,
            links.person_id as legal_rep_person_id
        from {{ ref('int_person_records_unioned') }} as records
        inner join {{ source('linkage', 'population_links') }} as links using (source_record_id)
        where records.party = 'legal_rep'

    )

    select
        links.entity_id,
        records.*,
        {{ legal_rep_person_id() }},
        confirmed.attributes as confirmed_attributes
    from {{ ref('int_entity_records_unioned') }} as records
    inner join {{ source('linkage', 'legal_entities_links') }} as links using (source_record_id)
    {{ join_legal_reps() }}
    left join ({{ confirmed_attributes('legal_entities') }}) as confirmed using (source_record_id)
{%- endmacro %}

{#- An entity record's legal representative: the person of the `legal_reps` row (one per delivered row that
    names one) of the same delivered row, for the record's subject party. The party goes in a CASE, not in
    the join: a constant on the left of a left join makes DuckDB join every entity record with every legal
    representative (quadratic: 98 s at a million people). -#}
{% macro legal_rep_person_id() -%}
    case when records.party = 'subject' then legal_reps.legal_rep_person_id end as legal_rep_person_id
{%- endmacro %}

{% macro join_legal_reps() -%}
    left join legal_reps
        on records.department = legal_reps.department
        and records.resource = legal_reps.resource
        and records.load_id = legal_reps.load_id
        and records.source_row_number = legal_reps.source_row_number
{%- endmacro %}

{#- Per source record, the attributes of `subject` an authority confirmed in a dispute. -#}
{% macro confirmed_attributes(subject) -%}
    select source_record_id, {{ sorted_set_agg('attribute') }} as attributes
    from {{ source('stewardship', 'disputes') }}
    where subject = '{{ subject }}' and status = 'confirmed'
    group by source_record_id
{%- endmacro %}

{#- The record versions of persons, each with its person and the attributes an authority confirmed of its
    record (`population.persons_history`'s input). -#}
{% macro person_history_versions() -%}
    select links.person_id, records.*, confirmed.attributes as confirmed_attributes
    from {{ ref('int_person_record_versions') }} as records
    inner join {{ source('linkage', 'population_links') }} as links using (source_record_id)
    left join ({{ confirmed_attributes('population') }}) as confirmed using (source_record_id)
{%- endmacro %}

{#- The record versions of legal entities, each with its entity, the person its legal representative is and
    the attributes an authority confirmed of its record (`legal_entities.legal_entities_history`'s input). -#}
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

        select links.entity_id, records.*, {{ legal_rep_person_id() }}, confirmed.attributes as confirmed_attributes
        from {{ ref('int_entity_record_versions') }} as records
        inner join {{ source('linkage', 'legal_entities_links') }} as links using (source_record_id)
        {{ join_legal_reps() }}
        left join ({{ confirmed_attributes('legal_entities') }}) as confirmed using (source_record_id)

    )
    select * from versions
{%- endmacro %}
