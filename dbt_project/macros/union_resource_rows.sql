{#- The caller's SELECT once per catalogued resource (`resource_rows_models()`: its delivered-rows model and
    what the catalogue says of it), joined by `union all`:

        {% call(rows) union_resource_rows() %}
        select ... from {{ ref(rows.model) }} as delivered ...
        {% endcall %}
-#}
{% macro union_resource_rows() -%}
    {%- for rows in resource_rows_models() %}
    {%- if not loop.first %}

    union all
    {% endif %}
    {{ caller(rows) }}
    {%- endfor %}
{%- endmacro %}
