"""The three questions, answered from the index: yes or no — and nothing more.

Inputs are normalised with the standards engine (full-width digits, a lower-case x, 15-digit IDs),
so a citizen is not told "no" for the way a clerk typed the number. "No" is one answer for every way a
question fails — no such ID, another name, an ID the registers hold twice, a death — so no answer tells a
caller whether an ID number exists: the service is not an oracle that completes a masked ID. Every
question about a person names the person (ID and name); being alive is asked of that pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

import pyarrow.parquet as pq

from pipelines.privacy.pseudonyms import Pseudonymiser
from pipelines.settings import Settings
from pipelines.standards.masking import mask
from pipelines.standards.python import engine
from pipelines.verification.index import LICENCES, PERSONS, PURPOSE, identity_digest, index_dir

VALID_LICENCE = "1"
CLOSED_ENTITY = ("2", "3")  # revoked, deregistered (entity_status code list)


class Answer(StrEnum):
    YES = "yes"
    NO = "no"


@dataclass(frozen=True)
class _Licence:
    holder_uscc: str | None
    status: str | None
    expires_on: date | None
    holder_status: str | None


class Verifier:
    def __init__(self, folder: Path, pseudonymise: Pseudonymiser):
        self._pseudonymise = pseudonymise
        persons = pq.read_table(folder / PERSONS).to_pydict()
        self._persons = dict(
            zip(
                persons["id_pseudonym"],
                zip(persons["identity_digest"], persons["is_deceased"], strict=True),
                strict=True,
            )
        )
        lic = pq.read_table(folder / LICENCES).to_pydict()
        self._licences = {
            n: _Licence(h, s, e, hs)
            for n, h, s, e, hs in zip(
                lic["licence_number"],
                lic["holder_uscc"],
                lic["licence_status"],
                lic["expires_on"],
                lic["holder_status"],
                strict=True,
            )
        }

    @classmethod
    def open(cls, settings: Settings | None = None) -> Verifier:
        """The verifier over the built index, with the verification purpose's key."""
        return cls(index_dir(settings), Pseudonymiser.for_purpose(PURPOSE, settings))

    @property
    def size(self) -> dict[str, int]:
        return {"persons": len(self._persons), "licences": len(self._licences)}

    def id_pseudonym(self, citizen_id: str) -> str | None:
        """The normalised ID's pseudonym (what the audit log records instead of the number)."""
        return self._pseudonymise("citizen_id", engine("citizen_id").normalise(citizen_id))

    def audit_subject(self, citizen_id: str) -> dict[str, str | None]:
        """How a question about a person is recorded: the ID masked, and its pseudonym for look-ups."""
        return {"subject": mask("citizen_id", citizen_id), "subject_pseudonym": self.id_pseudonym(citizen_id)}

    def _person(self, citizen_id: str, name: str) -> tuple[str, bool] | None:
        """The register's entry when this ID number and this name are one person in it, else None."""
        normalised = engine("citizen_id").normalise(citizen_id)
        given = engine("person_name").normalise(name)
        person = self._persons.get(self._pseudonymise("citizen_id", normalised))
        digest = identity_digest(self._pseudonymise, normalised or "", given or "")  # the same work either way
        return person if person is not None and normalised and given and digest == person[0] else None

    def identity(self, citizen_id: str, name: str) -> Answer:
        """Does this ID number belong to this name?"""
        return Answer.YES if self._person(citizen_id, name) else Answer.NO

    def alive(self, citizen_id: str, name: str) -> Answer:
        """Is the person with this ID number and this name alive (no death on record)?"""
        person = self._person(citizen_id, name)
        return Answer.YES if person is not None and not person[1] else Answer.NO

    def licence(self, licence_number: str, holder_uscc: str, on: date) -> Answer:
        """Is this licence valid on `on`, for this holder?"""
        lic = self._licences.get(licence_number.strip().upper())
        holder = engine("uscc").normalise(holder_uscc)
        valid = (
            lic is not None
            and lic.holder_uscc is not None
            and holder == lic.holder_uscc
            and lic.status == VALID_LICENCE
            and (lic.expires_on is None or lic.expires_on >= on)
            and lic.holder_status not in CLOSED_ENTITY
        )
        return Answer.YES if valid else Answer.NO
