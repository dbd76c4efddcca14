{#- The record-level checks that count in the scores: those of the validation `fct_quality_results` keeps
    for each batch (a batch validated again keeps its latest). -#}
{% macro scored_checks() -%}
select distinct run_id, load_id, rule, column_name
from {{ ref('fct_quality_results') }}
where is_scored
{%- endmacro %}

{#- Every record a scored check (`scored`: a relation of `scored_checks()`) failed: one row per load, rule,
    column and record key. A delivery the quality gate kept out flags none: a broken delivery is the
    department's problem as a whole, not its records', and its records never reached the subject databases. -#}
{% macro flagged_records(scored) -%}
select keys.department, keys.resource, keys.rule, keys.column_name, keys.record_key, keys.load_id
from {{ source('quality', 'failing_keys') }} as keys
inner join {{ scored }} as scored
    on keys.run_id = scored.run_id
    and keys.load_id = scored.load_id
    and keys.rule = scored.rule
    and keys.column_name = scored.column_name
where keys.load_id not in ({{ held_loads() }})
{%- endmacro %}

{#- The loads the quality gate held back (or that a re-delivery replaced while held). -#}
{% macro held_loads() -%}
select load_id from {{ source('quality', 'loads') }} where hold in ('held', 'replaced')
{%- endmacro %}
