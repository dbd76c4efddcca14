"""Who may read which resource, and how: roles and approvals from `catalog/access/`.

A role's grants at a date follow from the catalogue's sharing classes (国发〔2016〕51号) and the
recorded approvals; the access warehouses are built from exactly these grants, so "why can this
role see that" always has one answer (`Grant.basis`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipelines.catalog.loader import load_catalog
from pipelines.catalog.models import SLUG, Catalog, SharingClass
from pipelines.paths import CATALOG_DIR
from pipelines.standards.registry import LocalisedText
from pipelines.yamlio import YamlProblem, load_yaml

ACCESS_DIR = CATALOG_DIR / "access"


class RoleKind(StrEnum):
    ANALYST = "analyst"
    DEPARTMENT = "department"
    ADMINISTRATOR = "administrator"


class Role(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: RoleKind
    name: LocalisedText
    department: Annotated[str, Field(pattern=SLUG)] | None = None

    @model_validator(mode="after")
    def _department_roles_name_one(self) -> Role:
        if (self.kind is RoleKind.DEPARTMENT) != (self.department is not None):
            raise ValueError("a department role names its department, and only a department role does")
        return self


class Approval(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    resource: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*/[a-z][a-z0-9_]*$")]
    requester: str
    purpose: Annotated[str, Field(min_length=4)]
    approved_by: Annotated[str, Field(min_length=2)]
    approved_on: date
    expires_on: date

    @model_validator(mode="after")
    def _expires_after_approval(self) -> Approval:
        if self.expires_on < self.approved_on:
            raise ValueError("expires_on is before approved_on")
        return self

    def live_on(self, day: date) -> bool:
        return self.approved_on <= day <= self.expires_on


class AccessSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    roles: dict[Annotated[str, Field(pattern=SLUG)], Role]
    approvals: list[Approval] = Field(default_factory=list)


class AccessInvalid(ValueError):
    """The roles or approvals contradict the catalogue."""


@dataclass(frozen=True)
class Grant:
    """One resource a role may read: `own` data unmasked, `shared` data masked."""

    department: str
    resource: str
    mode: Literal["own", "shared"]
    basis: str
    expires_on: date | None = None
    approval_id: str | None = None

    @property
    def table(self) -> str:
        return f"{self.department}.{self.resource}"


def _load(path: Path, key: str) -> object:
    return load_yaml(path).data.get(key) if path.exists() else None


@lru_cache(maxsize=4)
def load_access(access_dir: Path = ACCESS_DIR, catalog_dir: Path = CATALOG_DIR) -> AccessSpec:
    """Roles and approvals, checked against the catalogue; raises `AccessInvalid` listing every problem."""
    try:
        spec = AccessSpec(
            roles=_load(access_dir / "roles.yml", "roles") or {},
            approvals=_load(access_dir / "approvals.yml", "approvals") or [],
        )
    except (ValidationError, YamlProblem) as exc:
        raise AccessInvalid(f"catalog/access is invalid: {exc}") from None
    catalog = load_catalog(catalog_dir)
    problems = []
    departments = {r.department for r in spec.roles.values() if r.kind is RoleKind.DEPARTMENT}
    problems += [f"no role for provider department {d!r}" for d in sorted(set(catalog.departments) - departments)]
    problems += [f"role for unknown department {d!r}" for d in sorted(departments - set(catalog.departments))]
    for kind in (RoleKind.ANALYST, RoleKind.ADMINISTRATOR):
        if not any(r.kind is kind for r in spec.roles.values()):
            problems.append(f"no {kind.value} role")
    ids = [a.id for a in spec.approvals]
    problems += [f"duplicate approval id {i!r}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    for a in spec.approvals:
        try:
            sharing = catalog.resource(*a.resource.split("/")).sharing.class_
        except KeyError:
            problems.append(f"approval {a.id}: unknown resource {a.resource!r}")
        else:
            if sharing is not SharingClass.CONDITIONAL:
                problems.append(
                    f"approval {a.id}: {a.resource} is {sharing.value}; only conditional shares are approved"
                )
        if a.requester not in spec.roles:
            problems.append(f"approval {a.id}: unknown requester role {a.requester!r}")
    if problems:
        raise AccessInvalid("catalog/access is invalid:\n" + "\n".join(f"  {p}" for p in problems))
    return spec


def role(name: str) -> Role:
    spec = load_access()
    if name not in spec.roles:
        raise AccessInvalid(f"unknown role {name!r}; roles: {', '.join(spec.roles)}")
    return spec.roles[name]


def grants(role_name: str, on: date, catalog: Catalog | None = None, spec: AccessSpec | None = None) -> list[Grant]:
    """Every resource `role_name` may read on day `on`, and why. Not-shared resources of others never."""
    spec = spec or load_access()
    catalog = catalog or load_catalog()
    who = spec.roles[role_name]
    out = []
    for dept, res in catalog.resources():
        if who.kind is RoleKind.ADMINISTRATOR or who.department == dept.code:
            out.append(Grant(dept.code, res.slug, "own", "own data" if who.department else "administrator"))
            continue
        sharing = res.sharing.class_
        if sharing is SharingClass.UNCONDITIONAL:
            out.append(Grant(dept.code, res.slug, "shared", "unconditional share (无条件共享)"))
        elif sharing is SharingClass.CONDITIONAL:
            if who.department is not None and who.department in res.sharing.shared_with:
                out.append(Grant(dept.code, res.slug, "shared", "conditional share to this department (catalogue)"))
                continue
            live = [
                a
                for a in spec.approvals
                if a.resource == f"{dept.code}/{res.slug}" and a.requester == role_name and a.live_on(on)
            ]
            if live:
                best = max(live, key=lambda a: a.expires_on)
                basis = f"approval {best.id}: {best.purpose}"
                out.append(Grant(dept.code, res.slug, "shared", basis, best.expires_on, best.id))
    return out
