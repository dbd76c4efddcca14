{#- A source read from the lake (`meta.lake_path`, Parquet files) is a relation each engine spells its own
    way: dbt-duckdb reads `meta.external_location` itself; Spark reads the files as parquet.`<path>`.
    Other sources (the linkage tables) are warehouse tables on every engine. -#}
{% macro source(source_name, table_name) -%}
    {{ return(adapter.dispatch('lake_source', 'govlake')(source_name, table_name)) }}
{%- endmacro %}

{% macro duckdb__lake_source(source_name, table_name) -%}
    {{ return(builtins.source(source_name, table_name)) }}
{%- endmacro %}

{% macro default__lake_source(source_name, table_name) -%}
    {%- set relation = builtins.source(source_name, table_name) -%}
    {%- if execute -%}
        {#- a unit test's graph has no sources: its fixtures stand in for them -#}
        {%- for node in graph.get('sources', {}).values()
                if node.source_name == source_name and node.name == table_name and node.meta.get('lake_path') -%}
            {{ return("parquet.`" ~ node.meta['lake_path'] ~ "`") }}
        {%- endfor -%}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}
