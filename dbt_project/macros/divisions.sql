{#- A division's code one level up from a county's (GB/T 2260): its first `digits` digits, the rest zeros; the
    county's own with 6, none without digits, and none for the unknown division (a null county). -#}
{% macro division_level_code(digits) -%}
    {%- if digits == 6 -%} division_code
    {%- elif digits -%} case when division_code is not null then concat(substring(division_code, 1, {{ digits }}), '{{ '0' * (6 - digits) }}') end
    {%- else -%} cast(null as {{ api.Column.translate_type('string') }})
    {%- endif -%}
{%- endmacro %}

{#- `record_divisions`, on an incremental run: only the rows of `alias` (department, resource, record key)
    of the records whose divisions are computed again. -#}
{% macro division_changes_join(alias) -%}
    {%- if is_incremental() %}
    inner join (select distinct department, resource, record_key from {{ ref('int_record_division_changes') }}) as changed
        on changed.department = {{ alias }}.department
        and changed.resource = {{ alias }}.resource
        and changed.record_key = {{ alias }}.record_key
    {%- endif %}
{%- endmacro %}
