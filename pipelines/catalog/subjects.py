"""Golden-record rules of the subject databases: which department is the authority for each attribute.

"One datum, one source" (一数一源) is declared in `catalog/subjects/<subject>.yml`, validated here
against the catalogue (every named source must be a catalogued resource of that subject that supplies
the attribute), and turned into the `attribute_sources` seed the marts rank values with.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pipelines.catalog.models import Catalog, Subject
from pipelines.paths import CATALOG_DIR
from pipelines.yamlio import DeclarationsInvalid, Problem, read

SUBJECTS_DIR = CATALOG_DIR / "subjects"
UNLISTED_PRIORITY = 99
# linkage keeps the scored pairs at or above it (for `govlake linkage explain`, whatever the threshold)
EDGE_FLOOR = 0.5


class AttributeSources(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    authority: list[str] = Field(min_length=1, description="department/resource, the official source first")
    fallback: list[str] = Field(default_factory=list)


class LinkageSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold: float = Field(
        0.95,
        gt=EDGE_FLOOR,  # the threshold is among the kept edges
        lt=1,
        description="Match probability at or above which two records are the same.",
    )
    older_than: dict[str, str] = Field(
        default_factory=dict,
        description="party -> the party of the same record it is older than (a parent than the newborn): a "
        "record of the first is never linked to a person born on or after the second.",
    )


class SubjectRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    subject: Subject
    attributes: dict[str, AttributeSources]
    linkage: LinkageSettings = LinkageSettings()

    def ranking(self) -> list[tuple[str, str, int, bool]]:
        """(attribute, department/resource, priority, is_authority) rows, priority 1 the best."""
        rows = []
        for attribute, sources in self.attributes.items():
            ordered = [(s, True) for s in sources.authority] + [(s, False) for s in sources.fallback]
            rows.extend((attribute, source, i, is_authority) for i, (source, is_authority) in enumerate(ordered, 1))
        return rows


class SubjectRulesInvalid(DeclarationsInvalid):
    what = "subject rules are"


def load_subject_rules(catalog: Catalog, folder: Path = SUBJECTS_DIR) -> dict[Subject, SubjectRules]:
    """Every subject's rules, checked against the catalogue; all problems are reported at once."""
    rules: dict[Subject, SubjectRules] = {}
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yml")):
        doc, parsed, found = read(path, SubjectRules)
        problems.extend(found)
        if doc is None or parsed is None:
            continue
        rules[parsed.subject] = parsed
        problems.extend(Problem(path, doc.line_of(loc), message) for loc, message in _unknown_sources(parsed, catalog))
    if problems:
        raise SubjectRulesInvalid(problems)
    return rules


def _unknown_sources(rules: SubjectRules, catalog: Catalog) -> list[tuple[tuple, str]]:
    """(location in the file, problem) of every source that does not supply its attribute."""
    supplied: dict[str, set[str]] = {}
    for dept, resource in catalog.resources():
        parties = {p for p, s in resource.party_subjects().items() if s is rules.subject}
        columns = {f.column or f.element for f in resource.fields if (f.party or "subject") in parties}
        elements = {f.element for f in resource.fields}
        columns |= {attribute for attribute, needs in _DERIVED.items() if needs in elements | set(resource.parties)}
        if parties:
            supplied[f"{dept.code}/{resource.slug}"] = columns
    problems = []
    for attribute, sources in rules.attributes.items():
        for kind in ("authority", "fallback"):
            for i, source in enumerate(getattr(sources, kind)):
                loc = ("attributes", attribute, kind, i)
                if source not in supplied:
                    problems.append(
                        (loc, f"{attribute}: {source} is not a catalogued resource with {rules.subject} records")
                    )
                elif attribute not in supplied[source]:
                    problems.append((loc, f"{attribute}: {source} has no field with column {attribute}"))
    return problems


# attributes the intermediate models derive rather than read from a field, and what they need
_DERIVED = {
    "marital_status": "civil_registration_type",  # a marriage or divorce registration
    "legal_rep_person_id": "legal_rep",  # the linked legal representative
}
