{#-
    A model kept up to date entity by entity (the attribute values and the history of persons and legal
    entities, and what is made of the values: the lineage and the comparisons with the authority). An
    entity's rows depend on its own input rows alone (and the golden-record rules), so on DuckDB the model is
    incremental. A digests model holds each entity's digest of its input rows (`entity_digests`:
    `input_digest`, the sum of their hashes), kept for the entities the build's changes reached; every model kept from those inputs carries its entity's digest
    on its rows, and keeps beside them the digest of every entity it computed (`<model>__entities`, whether
    or not the entity gave a row). A pre-hook compares those with the digests model (a million entities, not
    every row the model holds), lists the entities whose digest differs (`<model>__changed`: changed, new,
    or gone), deletes their rows, and the model computes them (`entities_to_compute`), appended. Spark's
    Parquet tables cannot delete rows, so there the model is built whole and `input_digest` is NULL. A
    change to the marts' code, and `govlake build --full-refresh`, build it whole on every engine
    (`pipelines/transform/build.py`).

    Usage:

        -- int_person_history_digests.sql
        {{ entity_digests('person_id', person_history_versions, 'int_person_changes') }}

        -- persons_history.sql
        {{ config(**entity_increments_config(['person_id'], "{{ ref('int_person_history_digests') }}")) }}
        with all_versions as ({{ person_history_versions(on_incremental_run(entities_to_compute('person_id'))) }}),
        {{ changed_entity_versions('all_versions', 'person_id', 'int_person_history_digests') }}
        {{ golden_history(..., digests=true) }}
-#}

{#- A digests model: one row per entity of the input rows `inputs` gives (a macro, called with the entities to
    limit them to, or none), with their digest. On DuckDB it is kept in place: a build digests again only the
    entities `changes` (a model of changed records with their entities now and before: `int_person_changes`)
    names, not every entity's input (3 s per model at 1,000,000 people); an entity left with no input loses
    its row. -#}
{% macro entity_digests(id_column, inputs, changes) -%}
{{ config(**entity_digests_config(id_column, changes)) }}
-- depends_on: {{ ref(changes) }}
select {{ id_column }}, {{ rows_digest('v') }} as input_digest
from ({{ inputs(on_incremental_run('(' ~ changed_entities(id_column, changes) ~ ')')) }}) as v
group by {{ id_column }}
{%- endmacro %}

{% macro entity_digests_config(id_column, changes) -%}
    {{ return(adapter.dispatch('entity_digests_config', 'govlake')(id_column, changes)) }}
{%- endmacro %}

{% macro duckdb__entity_digests_config(id_column, changes) -%}
    {{ return(stale_rows_deleted_config(
        id_column ~ " in ({{ changed_entities('" ~ id_column ~ "', '" ~ changes ~ "') }})"
    )) }}
{%- endmacro %}

{% macro default__entity_digests_config(id_column, changes) -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}

{#- Whether the models of changes (`int_person_changes`, `int_entity_changes`, `int_record_division_changes`)
    are read: by the models kept in place on DuckDB, unless this run builds them whole (`--full-refresh`,
    which every whole build of the marts is: the first, a change of their code). Otherwise they are empty
    (`no_changes`), and cost nothing (15 s for `int_record_division_changes` of a full build at 1,000,000
    people). -#}
{% macro changes_wanted() -%}
    {{ return(adapter.dispatch('changes_wanted', 'govlake')()) }}
{%- endmacro %}

{% macro duckdb__changes_wanted() -%}
    {{ return(not flags.FULL_REFRESH) }}
{%- endmacro %}

{% macro default__changes_wanted() -%}
    {{ return(false) }}
{%- endmacro %}

{#- SQL: no row, with the string columns `columns` (a model of changes no one reads). -#}
{% macro no_changes(columns) -%}
select {% for c in columns %}cast(null as {{ api.Column.translate_type('string') }}) as {{ c }}{% if not loop.last %}, {% endif %}{% endfor %}
where 1 = 0
{%- endmacro %}

{#- SQL: the entities (`id_column`) the changed records of the model `changes` belong to or left. -#}
{% macro changed_entities(id_column, changes) -%}
select {{ id_column }} from {{ ref(changes) }} where {{ id_column }} is not null
{%- endmacro %}

{#- SQL: the records of `subject` the linkage linked otherwise since the marts were last built, and those an
    authority confirmed a value of, or whose confirmation ended (`corrected`). -#}
{% macro relinked_or_disputed_records(subject) -%}
    select source_record_id from {{ source('linkage', subject ~ '_links_changed') }}
    union
    select source_record_id from {{ source('stewardship', 'disputes') }}
    where subject = '{{ subject }}' and status in ('confirmed', 'corrected')
{%- endmacro %}

{#- The records of the relation `records` (`source_record_id`), each with the entity (`id_column`) it belongs
    to now, and those the linkage moved with the entity each left. -#}
{% macro records_with_their_entities(records, subject, id_column) -%}
select records.source_record_id, links.{{ id_column }}
from {{ records }} as records
left join {{ source('linkage', subject ~ '_links') }} as links using (source_record_id)
union
select source_record_id, old_id as {{ id_column }}
from {{ source('linkage', subject ~ '_links_changed') }}
where old_id is not null
{%- endmacro %}

{#- `keys`: the columns naming an entity in the model; `digests`: a relation or a SELECT, rendered when the
    pre-hook runs, giving the same columns and `input_digest` for every entity there is now. -#}
{% macro entity_increments_config(keys, digests) -%}
    {{ return(adapter.dispatch('entity_increments_config', 'govlake')(keys, digests)) }}
{%- endmacro %}

{% macro duckdb__entity_increments_config(keys, digests) -%}
    {%- set query = digests if digests.strip().startswith('select') else 'select * from ' ~ digests -%}
    {%- set held, changed = entity_relation('entities'), entity_relation('changed') -%}
    {%- set same, either, on, kept, computed = [], [], [], [], [] -%}
    {%- for key in keys -%}
        {%- do same.append('changed.' ~ key ~ ' = {{ this }}.' ~ key) -%}
        {%- do either.append('coalesce(now.' ~ key ~ ', held.' ~ key ~ ') as ' ~ key) -%}
        {%- do on.append('now.' ~ key ~ ' = held.' ~ key) -%}
        {%- do kept.append('changed.' ~ key ~ ' = ' ~ held ~ '.' ~ key) -%}
        {%- do computed.append('changed.' ~ key ~ ' = now.' ~ key) -%}
    {%- endfor -%}
    {%- set digested = 'select ' ~ keys | join(', ') ~ ', input_digest from (' ~ query ~ ') as now' -%}
    {#- the rows of the changed entities deleted as any model kept in place deletes its stale rows -#}
    {%- set config = stale_rows_deleted_config(
        "exists (select 1 from " ~ changed ~ " as changed where " ~ same | join(' and ') ~ ")"
    ) -%}
    {%- do config.update({
        'pre_hook': [
            "{% if is_incremental() %}create table if not exists " ~ held ~ " as " ~ digested ~ " where false{% endif %}",
            "{% if is_incremental() %}create or replace table " ~ changed ~ " as select " ~ either | join(', ')
                ~ " from (" ~ query ~ ") as now full join " ~ held ~ " as held on " ~ on | join(' and ')
                ~ " where now.input_digest is distinct from held.input_digest{% endif %}",
        ] + config['pre_hook'],
        'post_hook': [
            "{% if is_incremental() %}delete from " ~ held ~ " where exists (select 1 from " ~ changed ~ " as changed where "
                ~ kept | join(' and ') ~ "){% else %}create or replace table " ~ held ~ " as " ~ digested ~ "{% endif %}",
            "{% if is_incremental() %}insert into " ~ held ~ " " ~ digested ~ " where exists (select 1 from " ~ changed
                ~ " as changed where " ~ computed | join(' and ') ~ "){% endif %}",
        ],
    }) -%}
    {{ return(config) }}
{%- endmacro %}

{#- Beside a model kept entity by entity (SQL rendered when the model runs): `entities`, the digest of every
    entity the model's rows were last computed from (whether or not it gave a row), and `changed`, the
    entities whose digest differs now (new, changed or gone), whose digests the post-hook puts in `entities`
    (a full run writes it whole). A run killed after its rows and before `entities` only computes those
    entities again. -#}
{% macro entity_relation(kind) -%}
    {{ return('{{ this.schema }}.\"{{ this.identifier }}__' ~ kind ~ '\"') }}
{%- endmacro %}

{#- The config of a DuckDB model kept in place: an incremental run first deletes the rows the WHERE condition
    `stale` selects (rendered when the model runs), then appends what the model computes. -#}
{% macro stale_rows_deleted_config(stale) -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'on_schema_change': 'fail',
        'pre_hook': ["{% if is_incremental() %}delete from {{ this }} where " ~ stale ~ "{% endif %}"],
    }) }}
{%- endmacro %}

{% macro default__entity_increments_config(keys, digests) -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}

{#- SQL: the ids (`key`, a column naming the entity in the model) of the entities whose digest changed, of
    the model's rows `where` selects, to compute on an incremental run (its pre-hook deleted their rows):
    a million entities compared, not every row the model holds. -#}
{% macro entities_to_compute(key, where='true') -%}
(select {{ key }} from {{ this.schema }}."{{ this.identifier }}__changed" where {{ where }})
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

{#- `input_digests` (per entity, from `digests_model`) and `versions`: on an incremental run, the input
    rows of the entities the model no longer holds (the pre-hook deleted those whose digest changed); else
    every input row. -#}
{% macro changed_entity_versions(all_versions, id_column, digests_model) -%}
input_digests as (

    select {{ id_column }}, input_digest from {{ ref(digests_model) }}

),

versions as (

    select * from {{ all_versions }} as v
    {%- if is_incremental() %}
    where v.{{ id_column }} in {{ entities_to_compute(id_column) }}
    {%- endif %}

),
{%- endmacro %}

{#- The linkage's table `links`, or (`entities`: a parenthesised SELECT of ids) its rows of those entities
    (`id_column`): filtered where the links are read, DuckDB reads only those entities' records (a filter on
    the joined rows read every record and link: 2.9 s at 1,000,000 people for a day's 1,400 persons). -#}
{% macro links_of(links, id_column, entities=none) -%}
    {%- if entities is none -%}
    {{ source('linkage', links) }}
    {%- else -%}
    (select * from {{ source('linkage', links) }} where {{ id_column }} in {{ entities }})
    {%- endif -%}
{%- endmacro %}

{#- `entities` on an incremental run, else none: what the input macros above are limited to. -#}
{% macro on_incremental_run(entities) -%}
    {{ return(entities if is_incremental() else none) }}
{%- endmacro %}

{#- The records of persons, each with its person and the attributes an authority confirmed of it in a
    dispute (`int_person_attribute_values`' input: a confirmation changes the entity's golden record). -#}
{% macro person_value_inputs(entities=none) -%}
    select links.person_id, records.*, confirmed.attributes as confirmed_attributes
    from {{ ref('int_person_records_unioned') }} as records
    inner join {{ links_of('population_links', 'person_id', entities) }} as links using (source_record_id)
    left join ({{ confirmed_attributes('population') }}) as confirmed using (source_record_id)
{%- endmacro %}

{#- The records of legal entities, each with its entity, the person the linkage found for the record's
    legal representative, and the attributes an authority confirmed (`int_entity_attribute_values`' input). -#}
{% macro entity_value_inputs(entities=none) -%}
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
    inner join {{ links_of('legal_entities_links', 'entity_id', entities) }} as links using (source_record_id)
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
{% macro person_history_versions(entities=none) -%}
    select links.person_id, records.*, confirmed.attributes as confirmed_attributes
    from {{ ref('int_person_record_versions') }} as records
    inner join {{ links_of('population_links', 'person_id', entities) }} as links using (source_record_id)
    left join ({{ confirmed_attributes('population') }}) as confirmed using (source_record_id)
{%- endmacro %}

{#- The record versions of legal entities, each with its entity, the person its legal representative is and
    the attributes an authority confirmed of its record (`legal_entities.legal_entities_history`'s input). -#}
{% macro entity_history_versions(entities=none) -%}
    with person_by_citizen_id as (

        {#- a record's legal representative may change: each version names its own, found by its citizen ID
            (the linkage links a record's current representative only); only legal representatives' IDs are
            looked up, not every person's (a million groups at 1,000,000 people) -#}
        select records.citizen_id, min(links.person_id) as person_id
        from {{ ref('int_person_records_unioned') }} as records
        inner join {{ source('linkage', 'population_links') }} as links using (source_record_id)
        where records.citizen_id in (
            select citizen_id from {{ ref('int_person_record_versions') }} where party = 'legal_rep'
        )
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
        inner join {{ links_of('legal_entities_links', 'entity_id', entities) }} as links using (source_record_id)
        {{ join_legal_reps() }}
        left join ({{ confirmed_attributes('legal_entities') }}) as confirmed using (source_record_id)

    )
    select * from versions
{%- endmacro %}
