"""The verification index: what the service needs to answer, and nothing it could disclose.

Built from the subject databases (either engine) into `access/verification/`: persons keyed by the keyed
pseudonym of their ID number with a keyed digest of (ID, name) — no ID number or name in the
clear — and licences by number with their holder's credit code (public), status and expiry.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pyarrow as pa

from pipelines.engines import engine_for
from pipelines.lake.layout import write_parquet_atomically
from pipelines.privacy.pseudonyms import Pseudonymiser
from pipelines.settings import Settings, get_settings
from pipelines.verification.pseudonym_cache import cached_pseudonyms

PERSONS = "persons.parquet"
PURPOSE = "verification"  # the pseudonym key of the index and of the service's audit entries, no one else's
LICENCES = "licences.parquet"
CACHE = "verification_pseudonyms.parquet"  # in the data folder, beside the warehouse: not the index's to show


def index_dir(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).access_root / "verification"


IDENTITY_KIND, IDENTITY_SEPARATOR = "identity", "|"  # the digest of (ID, name), in the index and in the verifier


def identity_digest(pseudonymise: Pseudonymiser, citizen_id: str, name: str) -> str | None:
    return pseudonymise(IDENTITY_KIND, f"{citizen_id}{IDENTITY_SEPARATOR}{name}")


PERSONS_SQL = """
    select citizen_id, person_name, is_deceased
    from population.persons
    where citizen_id is not null
    qualify count(*) over (partition by citizen_id) = 1  -- an ID two persons claim answers nothing
"""
LICENCES_SQL = """
    select l.licence_number, e.uscc as holder_uscc, l.licence_status, l.expires_on,
           e.entity_status as holder_status
    from licences.licences as l
    left join legal_entities.legal_entities as e on l.holder_entity_id = e.entity_id
"""


def key_persons(pseudonymise: Pseudonymiser, ids: list[str], names: list[str | None]) -> tuple[list, list]:
    """The index's two keyed columns of these persons: the pseudonym of each ID, the digest of each (ID, name)."""
    return [pseudonymise("citizen_id", i) for i in ids], [
        None if n is None else identity_digest(pseudonymise, i, n) for i, n in zip(ids, names, strict=True)
    ]


def build_index(settings: Settings | None = None) -> dict[str, int]:
    """(Re)write the index files atomically from the engine's subject databases; returns their row counts.
    The pseudonyms are computed here, in the platform's process, which alone holds the key."""
    settings = settings or get_settings()
    engine = engine_for(settings)
    pseudonymise = Pseudonymiser.for_purpose(PURPOSE, settings)
    persons = engine.query(PERSONS_SQL)
    id_pseudonyms, identities = cached_pseudonyms(
        persons, settings.data_root / CACHE, pseudonymise, partial(key_persons, pseudonymise)
    )
    index = {
        PERSONS: pa.table(
            {"id_pseudonym": id_pseudonyms, "identity_digest": identities, "is_deceased": persons.column("is_deceased")}
        ),
        LICENCES: engine.query(LICENCES_SQL),
    }
    out = index_dir(settings)
    out.mkdir(parents=True, exist_ok=True)
    for name, table in index.items():
        write_parquet_atomically(table, out / name)
    return {name: table.num_rows for name, table in index.items()}
