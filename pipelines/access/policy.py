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

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipelines.catalog.loader import load_catalog
from pipelines.catalog.models import SLUG, Catalog, SharingClass
from pipelines.paths import CATALOG_DIR
from pipelines.standards.registry import LocalisedText
from pipelines.yamlio import DeclarationsInvalid, Problem, read

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


class AccessInvalid(DeclarationsInvalid):
    """The roles or approvals do not validate, or contradict the catalogue."""

    what = "catalog/access is"


class UnknownRole(ValueError):
    pass


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


class _RolesFile(BaseModel):
    roles: dict[Annotated[str, Field(pattern=SLUG)], Role]


class _ApprovalsFile(BaseModel):
    approvals: list[Approval] = Field(default_factory=list)


@lru_cache(maxsize=4)
def load_access(access_dir: Path = ACCESS_DIR, catalog_dir: Path = CATALOG_DIR) -> AccessSpec:
    """Roles and approvals, checked against the catalogue; raises `AccessInvalid` listing every problem."""
    roles_path, approvals_path = access_dir / "roles.yml", access_dir / "approvals.yml"
    roles_doc, roles, problems = read(roles_path, _RolesFile)
    approvals_doc, approvals, found = (
        read(approvals_path, _ApprovalsFile) if approvals_path.exists() else (None, None, [])
    )
    problems += found
    if problems or roles is None:
        raise AccessInvalid(problems)
    spec = AccessSpec(roles=roles.roles, approvals=approvals.approvals if approvals else [])
    catalog = load_catalog(catalog_dir)

    def at_role(name: str | None, message: str) -> Problem:
        return Problem(roles_path, roles_doc.line_of(("roles", name) if name else ("roles",)), message)

    def at_approval(i: int, message: str) -> Problem:
        return Problem(approvals_path, approvals_doc.line_of(("approvals", i)), message)

    departments = {r.department: name for name, r in spec.roles.items() if r.kind is RoleKind.DEPARTMENT}
    problems += [
        at_role(None, f"no role for provider department {d!r}")
        for d in sorted(set(catalog.departments) - set(departments))
    ]
    problems += [
        at_role(departments[d], f"role for unknown department {d!r}")
        for d in sorted(set(departments) - set(catalog.departments))
    ]
    for kind in (RoleKind.ANALYST, RoleKind.ADMINISTRATOR):
        if not any(r.kind is kind for r in spec.roles.values()):
            problems.append(at_role(None, f"no {kind.value} role"))
    ids = [a.id for a in spec.approvals]
    for i, a in enumerate(spec.approvals):
        if ids.index(a.id) != i:
            problems.append(at_approval(i, f"duplicate approval id {a.id!r}"))
        try:
            sharing = catalog.resource(*a.resource.split("/")).sharing.class_
        except KeyError:
            problems.append(at_approval(i, f"approval {a.id}: unknown resource {a.resource!r}"))
        else:
            if sharing is not SharingClass.CONDITIONAL:
                problems.append(
                    at_approval(
                        i, f"approval {a.id}: {a.resource} is {sharing.value}; only conditional shares are approved"
                    )
                )
        if a.requester not in spec.roles:
            problems.append(at_approval(i, f"approval {a.id}: unknown requester role {a.requester!r}"))
    if problems:
        raise AccessInvalid(problems)
    return spec


def role(name: str) -> Role:
    spec = load_access()
    if name not in spec.roles:
        raise UnknownRole(f"unknown role {name!r}; roles: {', '.join(spec.roles)}")
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
