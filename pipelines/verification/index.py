"""The verification index: what the service needs to answer, and nothing it could disclose.

Built from the platform warehouse into `access/verification/`: persons keyed by the keyed
pseudonym of their ID number with a keyed digest of (ID, name) — no ID number or name in the
clear — and licences by number with their holder's credit code (public), status and expiry.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.privacy.pseudonyms import Pseudonymiser
from pipelines.settings import Settings, get_settings

PERSONS = "persons.parquet"
LICENCES = "licences.parquet"


def index_dir(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).access_root / "verification"


IDENTITY_KIND, IDENTITY_SEPARATOR = "identity", "|"  # the digest of (ID, name), here and in the index's SQL


def identity_digest(pseudonymise: Pseudonymiser, citizen_id: str, name: str) -> str | None:
    return pseudonymise(IDENTITY_KIND, f"{citizen_id}{IDENTITY_SEPARATOR}{name}")


def build_index(settings: Settings | None = None) -> dict[str, int]:
    """(Re)write the index files atomically; returns their row counts."""
    settings = settings or get_settings()
    out = index_dir(settings)
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    with duckdb.connect() as con:
        Pseudonymiser.from_settings(settings).register(con)
        con.execute(f"attach '{settings.warehouse_path}' as platform (read_only)")
        queries = {
            PERSONS: f"""
                select pseudonym('citizen_id', citizen_id) as id_pseudonym,
                       pseudonym('{IDENTITY_KIND}', citizen_id || '{IDENTITY_SEPARATOR}' || person_name)
                           as identity_digest,
                       is_deceased
                from platform.population.persons
                where citizen_id is not null
                qualify count(*) over (partition by citizen_id) = 1  -- an ID two persons claim answers nothing
            """,
            LICENCES: """
                select l.licence_number, e.uscc as holder_uscc, l.licence_status, l.expires_on,
                       e.entity_status as holder_status
                from platform.licences.licences as l
                left join platform.legal_entities.legal_entities as e on l.holder_entity_id = e.entity_id
            """,
        }
        for name, sql in queries.items():
            tmp = out / f".{name}.tmp"
            con.execute(f"copy ({sql}) to '{tmp}' (format parquet)")
            tmp.replace(out / name)
            counts[name] = con.execute(f"select count(*) from '{out / name}'").fetchone()[0]
    return counts
