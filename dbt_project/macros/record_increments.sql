{#-
    Staging and intermediate models kept up to date record by record. A record's versions depend on its
    own delivered rows alone (and on the whole snapshots of its resource, which end the records they lack),
    so a build need only compute again the records its new loads name. The build writes the loads it takes
    in — those no completed build has taken in, so a build killed midway leaves them for the next — to
    `build/increment.parquet` in the lake (`pipelines.transform.increment`). On DuckDB each model kept so
    deletes, before it runs, the rows of every record those loads name, and computes those records again,
    appended; a new whole snapshot names every record of its resource. Spark's Parquet tables cannot
    delete rows, so there the models are built whole. `govlake build --full-refresh`, and a change to the
    staging code, build them whole on every engine.

    Usage (the resources are `[department, resource]` pairs):

        {{ config(**record_increments_config([['public_security', 'household_registry']])) }}
        select ... from {{ ref('stg_public_security__household_registry_versions') }}
        where is_current and {{ changed_records_only('public_security', 'household_registry') }}
-#}

{#- The loads this build takes in (written by the build before dbt runs). -#}
{% macro increment_loads() -%}
read_parquet('{{ env_var('GOVLAKE_LAKE_ROOT', '../data/lake') }}/build/increment.parquet')
{%- endmacro %}

{#- The staging rows model of one resource, as the catalogue's generated list names it. -#}
{% macro rows_model_of(department, resource) -%}
    {%- for m in resource_rows_models() if m.department == department and m.resource == resource -%}
        {{ return(m.model) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error('no staging rows model for ' ~ department ~ '/' ~ resource) }}
{%- endmacro %}

{#- SQL: the record keys of one resource the build's loads name (every one, when a load is a whole snapshot). -#}
{% macro changed_record_keys(department, resource) -%}
    {%- set rows = ref(rows_model_of(department, resource)) -%}
    select distinct record_key from {{ rows }}
    where load_id in (select load_id from {{ increment_loads() }})
        or exists (
            select 1 from {{ rows }} as whole
            where whole.delivery_semantics = 'snapshot' and whole.load_id in (select load_id from {{ increment_loads() }})
        )
{%- endmacro %}

{#- `resources`: the `[department, resource]` pairs whose records the model holds (in its columns
    `department`, `resource` and `record_key`). `changed` (a WHERE condition, rendered when the model runs):
    the rows to compute again, if not those of the records the loads name. -#}
{% macro record_increments_config(resources, changed=none) -%}
    {{ return(adapter.dispatch('record_increments_config', 'govlake')(resources, changed)) }}
{%- endmacro %}

{% macro duckdb__record_increments_config(resources, changed=none) -%}
    {{ return(stale_rows_deleted_config(changed or "{{ changed_records_condition(" ~ resources ~ ") }}")) }}
{%- endmacro %}

{#- A WHERE condition: the rows (with columns `department`, `resource` and `record_key`) of the records of
    `resources` the build's loads name. -#}
{% macro changed_records_condition(resources) -%}
    {%- for department, resource in resources -%}
    (department = '{{ department }}' and resource = '{{ resource }}' and record_key in ({{ changed_record_keys(department, resource) }}))
    {%- if not loop.last %} or {% endif -%}
    {%- endfor -%}
{%- endmacro %}

{% macro default__record_increments_config(resources, changed=none) -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}

{#- Refer to the rows models of `resources` (renders nothing): dbt learns a model's dependencies from a run
    that is not incremental, so a model that reads them on incremental runs only says so on every run. -#}
{% macro refer_to_rows(resources) -%}
    {%- for department, resource in resources -%}
    {%- do ref(rows_model_of(department, resource)) -%}
    {%- endfor -%}
{%- endmacro %}

{#- A WHERE condition keeping the rows of the records the build's loads name, on an incremental run. -#}
{% macro changed_records_only(department, resource, key='record_key') -%}
    {%- do refer_to_rows([[department, resource]]) -%}
    {%- if is_incremental() -%}
    {{ key }} in ({{ changed_record_keys(department, resource) }})
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}

{#- The `[department, resource]` pairs of the records `subject`'s parties come from, each once. -#}
{% macro subject_resources(subject) -%}
    {%- set pairs = [] -%}
    {%- for p in subject_parties(subject) -%}
        {%- if [p.department, p.resource] not in pairs -%}{%- do pairs.append([p.department, p.resource]) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(pairs) }}
{%- endmacro %}

{#- SQL: the `source_record_id` (and `columns`) of every party, current or ended, of the records of
    `subject` the build's loads name, from its record versions model. -#}
{% macro changed_record_ids(subject, versions_model, columns=[]) -%}
    select source_record_id{% for c in columns %}, {{ c }}{% endfor %}
    from {{ ref(versions_model) }}
    where {{ changed_records_condition(subject_resources(subject)) }}
{%- endmacro %}

{#- SQL: the person records whose linkage features (`int_person_linkage_features`) a build computes again:
    every party, current or ended, of the records its loads name; and every record whose delivered row names
    a person one of those records names or named, since that person's household may have changed. -#}
{% macro person_features_to_compute() -%}
    with changed as (
        {{ changed_record_ids('population', 'int_person_record_versions', ['citizen_id']) }}
    ),

    naming_rows as (
        select distinct department, resource, load_id, source_row_number
        from {{ ref('int_person_records_unioned') }}
        where citizen_id in (select citizen_id from changed)
    )

    select source_record_id from changed
    union
    select source_record_id
    from {{ ref('int_person_records_unioned') }}
    inner join naming_rows using (department, resource, load_id, source_row_number)
{%- endmacro %}
