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

{#- The distinct values of `col` in a group, sorted, as one string joined by ', ' (a failure's names). -#}
{% macro joined_set_agg(col) -%}
    {{ return(adapter.dispatch('joined_set_agg', 'govlake')(col)) }}
{%- endmacro %}

{% macro duckdb__joined_set_agg(col) -%}
    array_to_string(list(distinct {{ col }} order by {{ col }}), ', ')
{%- endmacro %}

{% macro default__joined_set_agg(col) -%}
    array_join(array_sort(collect_set({{ col }})), ', ')
{%- endmacro %}

{#- One row per month from the month starting on date `first` to the one starting on `last`: a select
    expression (the first day of each month, a date), for a FROM of one row holding both. -#}
{% macro month_starts(first, last) -%}
    {{ return(adapter.dispatch('month_starts', 'govlake')(first, last)) }}
{%- endmacro %}

{% macro duckdb__month_starts(first, last) -%}
    cast(unnest(generate_series(cast({{ first }} as timestamp), cast({{ last }} as timestamp), interval 1 month)) as date)
{%- endmacro %}

{% macro default__month_starts(first, last) -%}
    explode(sequence({{ first }}, {{ last }}, interval 1 month))
{%- endmacro %}

{#- The date a run judges against: the `as_of` variable (a DAG run passes its own date, so a rerun of an
    old run judges as that run did), else today. -#}
{% macro as_of_date() -%}
{%- set as_of = var('as_of', none) -%}
{{ "cast('" ~ as_of ~ "' as date)" if as_of else 'current_date' }}
{%- endmacro %}

{#- The columns of a quality result computed in SQL (not by a GX expectation), so every dimension's
    results union with the validation results; `expectation` names the computing model. -#}
{% macro quality_result_columns(rule, dimension, expectation, column_name='null', element='null', severity='error') -%}
    cast({{ column_name }} as {{ api.Column.translate_type('string') }}) as column_name,
    cast({{ element }} as {{ api.Column.translate_type('string') }}) as element,
    {{ rule }} as rule,
    '{{ expectation }}' as expectation,
    '{{ dimension }}' as dimension,
    '{{ severity }}' as severity
{%- endmacro %}

{#- Spark's Parquet tables cannot hold a NOT NULL constraint (only Delta can, and its jars need Maven):
    dbt-spark would fail the contract with ALTER COLUMN … SET NOT NULL. Here the constraint is checked
    against the rows just written instead, and a NULL fails the model as the constraint would. -#}
{% macro spark__alter_column_set_constraints(relation, column_dict) %}
    {%- for column_name in column_dict -%}
        {%- for constraint in column_dict[column_name]['constraints'] if constraint.type == 'not_null' -%}
            {%- set column = adapter.quote(column_name) if column_dict[column_name]['quote'] else column_name -%}
            {%- set nulls = run_query('select count(*) from ' ~ relation ~ ' where ' ~ column ~ ' is null').columns[0].values()[0] -%}
            {%- if nulls > 0 -%}
                {{ exceptions.raise_compiler_error('contract of ' ~ relation ~ ': ' ~ nulls ~ ' NULL values in ' ~ column_name ~ ', declared not_null') }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
{% endmacro %}
