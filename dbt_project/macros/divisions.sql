{#- A division's code one level up from a county's (GB/T 2260): its first `digits` digits, the rest zeros; the
    county's own with 6, none without digits, and none for the unknown division (a null county). -#}
{% macro division_level_code(digits) -%}
    {%- if digits == 6 -%} division_code
    {%- elif digits -%} case when division_code is not null then concat(substring(division_code, 1, {{ digits }}), '{{ '0' * (6 - digits) }}') end
    {%- else -%} cast(null as {{ api.Column.translate_type('string') }})
    {%- endif -%}
{%- endmacro %}
