{#- SQL that differs between DuckDB and Spark, dispatched (jaffle-shop's cents_to_dollars pattern). -#}

{#- The distinct values of `col` in a group, as a sorted array. -#}
{% macro sorted_set_agg(col) -%}
    {{ return(adapter.dispatch('sorted_set_agg', 'govlake')(col)) }}
{%- endmacro %}

{% macro duckdb__sorted_set_agg(col) -%}
    list(distinct {{ col }} order by {{ col }})
{%- endmacro %}

{% macro default__sorted_set_agg(col) -%}
    array_sort(collect_set({{ col }}))
{%- endmacro %}
