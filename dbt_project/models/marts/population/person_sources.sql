{#- Every person record of every department with the person it belongs to, and how it was matched:
    `identifier` (a valid citizen ID), `probabilistic` (Splink, at or above the threshold) or
    `unmatched` (nothing matched: a person of its own). -#}
{{ source_map('int_person_records_unioned', 'population_links', 'person_id', 'int_person_changes') }}
