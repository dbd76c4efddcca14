{#- legal_entities.id_changes: every time linkage moved legal-entity records to another entity id (two
    clusters merged, one split, or a cluster's key changed when an identifier was corrected). -#}
{{ config(alias='id_changes') }}

select
    old_id as old_entity_id,
    new_id as new_entity_id,
    cast(changed_at as {{ api.Column.translate_type('timestamp') }}) as changed_at,
    reason,
    records
from {{ source('linkage', 'legal_entities_id_changes') }}
