{#-
    One row per (record, party) of every staging model feeding `subject`, with the same columns:
    each attribute is the party's column, an expression given in `derived` for that resource
    (`<department>__<resource>`), or NULL. `subject_parties` is generated from the catalogue, so a
    new catalogue entry flows into the subject database without editing this model.
-#}
{% macro union_parties(subject, attributes, derived={}) -%}
{%- for p in subject_parties(subject) %}
select
    '{{ p.department }}' as department,
    '{{ p.resource }}' as resource,
    '{{ p.party }}' as party,
    record_key,
    load_id,
    source_row_number,
    {%- for name, type in attributes.items() %}
    {%- set expression = derived.get(p.department ~ '__' ~ p.resource, {}).get(name) or p.columns.get(name) %}
    cast({{ expression or 'null' }} as {{ api.Column.translate_type(type) }}) as {{ name }}
    {%- if not loop.last %},{% endif %}
    {%- endfor %}
from {{ ref(p.model) }}
{% if not loop.last %}
union all
{% endif %}
{%- endfor %}
{%- endmacro %}
