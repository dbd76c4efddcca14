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
        where is_current {% if is_incremental() %}and record_key in ({{ changed_record_keys('public_security', 'household_registry') }}){% endif %}
-#}

{#- The loads this build takes in (written by the build before dbt runs). -#}
{% macro increment_loads() -%}
read_parquet('{{ env_var('GOVLAKE_LAKE_ROOT', '../data/lake') }}/build/increment.parquet')
{%- endmacro %}

{#- SQL: the record keys of one resource the build's loads name (every one, when a load is a whole snapshot). -#}
{% macro changed_record_keys(department, resource) -%}
    {%- set rows = ref('stg_' ~ department ~ '__' ~ resource ~ '_rows') -%}
    select distinct record_key from {{ rows }}
    where load_id in (select load_id from {{ increment_loads() }})
        or exists (
            select 1 from {{ rows }} as whole
            where whole.delivery_semantics = 'snapshot' and whole.load_id in (select load_id from {{ increment_loads() }})
        )
{%- endmacro %}

{#- `resources`: the `[department, resource]` pairs whose records the model holds (in its columns
    `department`, `resource` and `record_key`). -#}
{% macro record_increments_config(resources) -%}
    {{ return(adapter.dispatch('record_increments_config', 'govlake')(resources)) }}
{%- endmacro %}

{% macro duckdb__record_increments_config(resources) -%}
    {%- set changed = [] -%}
    {%- for department, resource in resources -%}
        {%- do changed.append(
            "(department = '" ~ department ~ "' and resource = '" ~ resource ~ "' and record_key in ("
            ~ "{{ changed_record_keys('" ~ department ~ "', '" ~ resource ~ "') }}))"
        ) -%}
    {%- endfor -%}
    {%- set stale = "{% if is_incremental() %}delete from {{ this }} where " ~ changed | join(' or ') ~ "{% endif %}" -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'on_schema_change': 'fail',
        'pre_hook': [stale],
    }) }}
{%- endmacro %}

{% macro default__record_increments_config(resources) -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}

{#- A WHERE condition keeping the rows of the records the build's loads name, on an incremental run. The
    resource's rows model is referred to on every run: dbt learns a model's dependencies from a run that is
    not incremental. -#}
{% macro changed_records_only(department, resource, key='record_key') -%}
    {%- do ref('stg_' ~ department ~ '__' ~ resource ~ '_rows') -%}
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
