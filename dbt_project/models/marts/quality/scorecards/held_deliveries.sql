{#- Deliveries the quality gate held back from the subject databases (pipelines/quality/gate.py): broken
    beyond their resource's ceiling. Standing holds, and those released by an administrator or replaced by
    the department's re-delivery; with the checks that tripped (rule, column, counts: no values). -#}
select
    department,
    resource,
    load_id,
    delivered_at,
    period,
    rows_landed,
    hold as hold_status,
    held_at,
    hold_checks
from {{ source('quality', 'loads') }}
where hold is not null
