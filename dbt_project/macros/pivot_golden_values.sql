{#- One column per attribute from the rank-1 rows of a ranked-values model, cast to its type. -#}
{% macro pivot_golden_values(attributes) -%}
    {%- for name, type in attributes.items() %}
    cast(max(case when attribute = '{{ name }}' then attribute_value end) as {{ api.Column.translate_type(type) }})
        as {{ name }}
    {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
