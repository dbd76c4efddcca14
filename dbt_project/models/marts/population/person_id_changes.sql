{#- population.id_changes: every time linkage moved person records to another person id (two clusters
    merged, one split, or a cluster's key changed when an identifier was corrected), so departments and
    analysts holding an old id can follow it. -#}
{{ config(alias='id_changes') }}

select
    old_id as old_person_id,
    new_id as new_person_id,
    cast(changed_at as {{ api.Column.translate_type('timestamp') }}) as changed_at,
    reason,
    records
from {{ source('linkage', 'population_id_changes') }}
