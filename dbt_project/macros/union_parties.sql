{#-
    One row per (record, party) of every staging model feeding `subject`, with the same columns:
    each attribute is the party's column, an expression given in `derived` for resources that carry
    the column it needs, or NULL; `observed_on` is the record's date, the resource's catalogued
    `observed_on` column. `subject_parties` is generated from the catalogue, so a new catalogue entry
    flows into the subject database without editing this model.
    `derived`: {attribute: {'needs': staging column, 'sql': expression over it}}.
    `versions`: read every version of every record (`stg_*_versions`, with `valid_from` / `valid_to`)
    instead of the current records. On an incremental run, only the records the build's loads name
    (`record_increments.sql`).
-#}
{% macro union_parties(subject, attributes, derived={}, versions=false) -%}
{%- for p in subject_parties(subject) %}
select
    '{{ p.department }}' as department,
    '{{ p.resource }}' as resource,
    '{{ p.party }}' as party,
    record_key,
    load_id,
    source_row_number,
    {%- if versions %}
    valid_from,
    valid_to,
    {%- endif %}
    {%- for name, type in attributes.items() %}
    {%- set rule = derived.get(name, {}) %}
    {%- if name == 'observed_on' %}
        {%- set expression = p.observed_on %}
    {%- elif rule and rule.needs in p.columns.values() %}
        {%- set expression = rule.sql %}
    {%- else %}
        {%- set expression = p.columns.get(name) %}
    {%- endif %}
    cast({{ expression or 'null' }} as {{ api.Column.translate_type(type) }}) as {{ name }}
    {%- if not loop.last %},{% endif %}
    {%- endfor %}
from {{ ref(p.model ~ ('_versions' if versions else '')) }}
where {{ changed_records_only(p.department, p.resource) }}
{% if not loop.last %}
union all
{% endif %}
{%- endfor %}
{%- endmacro %}
