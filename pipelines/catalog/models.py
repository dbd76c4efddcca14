"""The government information resource catalogue as typed models.

Shaped after 《政务信息资源目录编制指南（试行）》: every resource carries its code, bilingual name,
provider, format (source), information items (fields, each mapped to a standard data element),
sharing attributes (国发〔2016〕51号 three classes), opening attribute and update cycle.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipelines.standards.registry import LocalisedText, Sensitivity

SLUG = r"^[a-z][a-z0-9_]*$"
ENV_NAME = r"^[A-Z][A-Z0-9_]*$"
RESOURCE_CODE = r"^[1-3]\d{2}\d{3}/\d{5}$"  # 类(1)项(2)目(3)/顺序码(5)
SUBJECT_PARTY = "subject"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UpdateCycle(StrEnum):
    REALTIME = "realtime"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"

    @property
    def days(self) -> int:
        """Nominal length of one cycle in days (timeliness compares delivery age against it)."""
        return {"realtime": 1, "daily": 1, "weekly": 7, "monthly": 31, "quarterly": 92, "yearly": 366}[self.value]


class SharingClass(StrEnum):
    UNCONDITIONAL = "unconditional"  # 无条件共享
    CONDITIONAL = "conditional"  # 有条件共享
    NOT_SHARED = "not_shared"  # 不予共享


class OpenClass(StrEnum):
    UNCONDITIONAL = "unconditional"  # 无条件开放
    CONDITIONAL = "conditional"  # 有条件开放 / 受限开放
    CLOSED = "closed"  # 非开放 / 禁止开放


class Subject(StrEnum):
    POPULATION = "population"
    LEGAL_ENTITIES = "legal_entities"
    LICENCES = "licences"


class Semantics(StrEnum):
    """What one delivery of a resource says about its records."""

    SNAPSHOT = "snapshot"  # the whole table: a record absent from the latest snapshot has ended
    INCREMENT = "increment"  # new and changed records by record key: the latest version wins
    CHANGES = "changes"  # change rows carrying an operation (insert / update / delete) and a change time


class Operation(Strict):
    """The operation column of a `changes` feed and the codes it writes for each operation."""

    field: str = Field(description="The source field (a catalogued field name) holding the operation.")
    insert: list[str] = Field(min_length=1)
    update: list[str] = Field(min_length=1)
    delete: list[str] = Field(min_length=1)


class DeliverySpec(Strict):
    """How deliveries follow one another: what a delivery means, and what dates each version."""

    semantics: Semantics
    changed_at: Annotated[str, Field(pattern=SLUG)] | None = Field(
        default=None,
        description="Staging column saying when each version began (an update or change time). Versions are "
        "ordered and dated by it; without it, by the order and time of the deliveries.",
    )
    operation: Operation | None = None
    full_snapshot_every: Annotated[int, Field(gt=0, le=366)] | None = Field(
        default=None,
        description="A database table read by its `updated_at_column` watermark is read whole every N runs, "
        "so records deleted at the source end here too.",
    )
    hold_above: Annotated[float, Field(gt=0, lt=1)] = Field(
        default=0.2,
        description="The quality gate's ceiling: a delivery in which any scored check (error severity, not waived) "
        "fails on more than this share of its rows, with 99% confidence, is broken (a shifted column, a wrong "
        "code table) and held back from the subject databases until re-delivered or released.",
    )


class DatabaseSource(Strict):
    """A table in a department's relational database, reached through a SQLAlchemy URL."""

    kind: Literal["database"]
    url_env: Annotated[str, Field(pattern=ENV_NAME)]
    table: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
    sqlite_fallback: str | None = Field(
        default=None, description="SQLite file under the sources dir used when url_env is unset (demo)."
    )
    updated_at_column: str | None = None


class FileSource(Strict):
    """Files dropped by a department under the sources dir."""

    kind: Literal["file"]
    format: Literal["csv", "xlsx", "json"]
    path: str = Field(description="Glob relative to the sources dir, one file per delivery.")
    encoding: Literal["auto", "utf-8", "utf-8-sig", "gb18030"] = "auto"
    delimiter: str = ","
    sheet: str | None = None


class HttpSource(Strict):
    """A paginated JSON API served by a department."""

    kind: Literal["http"]
    base_url_env: Annotated[str, Field(pattern=ENV_NAME)]
    endpoint: str
    token_env: Annotated[str, Field(pattern=ENV_NAME)] | None = None
    page_size: Annotated[int, Field(gt=0, le=10_000)] = 500
    timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 30.0
    files_fallback: str | None = Field(default=None, description="Glob of saved pages used when offline.")
    updated_at_column: str | None = Field(
        default=None, description="The record field holding its last update time: the connector's watermark."
    )
    updated_since_param: str | None = Field(
        default=None, description="The query parameter asking the API for records updated after a time."
    )

    @model_validator(mode="after")
    def _watermark_needs_both(self) -> HttpSource:
        if (self.updated_at_column is None) != (self.updated_since_param is None):
            raise ValueError("an API read by watermark names both `updated_at_column` and `updated_since_param`")
        return self


Source = Annotated[DatabaseSource | FileSource | HttpSource, Field(discriminator="kind")]


class FieldSpec(Strict):
    """One information item: a source column mapped to a standard data element."""

    name: str
    element: str
    label: LocalisedText | None = None
    required: bool = False
    key: bool = False
    sensitivity: Sensitivity | None = Field(default=None, description="Overrides the element's default.")
    column: Annotated[str, Field(pattern=SLUG)] | None = Field(
        default=None, description="Standard column name in the subject databases; defaults to the element id."
    )
    party: Annotated[str, Field(pattern=SLUG)] | None = Field(
        default=None, description="Which party of the record the item describes (a mother, a legal representative)."
    )
    masking: str | None = Field(
        default=None, description="Masking rule (standards/masking.yml) applied when shared; overrides the element's."
    )

    @property
    def staging_column(self) -> str:
        """The column's name in `stg_<dept>__<resource>`: the standard name, prefixed by its party."""
        base = self.column or self.element
        return base if self.party in (None, SUBJECT_PARTY) else f"{self.party}_{base}"


class Sharing(Strict):
    class_: SharingClass = Field(alias="class")
    conditions: str | None = None
    shared_with: list[str] = Field(default_factory=list, description="Departments a conditional share is for.")
    legal_basis: str | None = None

    @model_validator(mode="after")
    def _conditions_and_basis(self) -> Sharing:
        if self.class_ is SharingClass.CONDITIONAL and not (self.conditions or "").strip():
            raise ValueError("conditional sharing (有条件共享) must state its conditions")
        if self.class_ is SharingClass.NOT_SHARED and not (self.legal_basis or "").strip():
            raise ValueError("not-shared (不予共享) must cite its legal basis")
        return self


class Opening(Strict):
    class_: OpenClass = Field(alias="class")
    conditions: str | None = None


class DivisionSpec(Strict):
    """Where a record's administrative division (区划) comes from, for the quality roll-ups from district
    branches to the city: a division-code column of the record's own (a registered division, where an
    enterprise registered), or the division of one of its parties' golden records, as linked."""

    column: str | None = None
    party: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> DivisionSpec:
        if (self.column is None) == (self.party is None):
            raise ValueError("division: give exactly one of `column` (a division_code column) or `party`")
        return self


# the subject databases whose golden records hold a division (licences hold none of their own), each with
# the element of its identifier: a record whose party's record has ended finds its golden record by it
DIVIDED_SUBJECTS = {"population": "citizen_id", "legal_entities": "uscc"}


class Resource(Strict):
    code: Annotated[str, Field(pattern=RESOURCE_CODE)]
    slug: Annotated[str, Field(pattern=SLUG)]
    name: LocalisedText
    summary: str
    subject: Subject
    source: Source
    update_cycle: UpdateCycle
    sharing: Sharing
    opening: Opening
    fields: Annotated[list[FieldSpec], Field(min_length=1)]
    parties: dict[Annotated[str, Field(pattern=SLUG)], Subject] = Field(
        default_factory=dict,
        description="Parties a record names besides its subject (a legal representative, an employer), "
        "each with the subject database it belongs to.",
    )
    observed_on: Annotated[str, Field(pattern=SLUG)] = Field(
        description="The staging column of the date (or time) each record speaks for: a registration date, an "
        "update time. Among records of one source the most recent wins the golden record."
    )
    delivery: DeliverySpec = Field(description="Delivery semantics: snapshot, increment or changes.")
    division: DivisionSpec = Field(
        default_factory=lambda: DivisionSpec(party=SUBJECT_PARTY),
        description="The division each record belongs to (default: its subject's golden record's).",
    )

    @model_validator(mode="after")
    def _unique_field_names_and_one_key(self) -> Resource:
        for label, names in (
            ("field names", [f.name for f in self.fields]),
            ("staging columns (give `column:`)", [f.staging_column for f in self.fields]),
        ):
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                raise ValueError(f"duplicate {label}: {', '.join(dupes)}")
        if sum(f.key for f in self.fields) != 1:
            raise ValueError("exactly one field must be the record key (key: true)")
        undeclared = sorted({f.party for f in self.fields if f.party and f.party != SUBJECT_PARTY} - set(self.parties))
        if undeclared:
            raise ValueError(f"parties used by fields but not declared under `parties`: {', '.join(undeclared)}")
        staging_columns = {f.staging_column for f in self.fields}
        for label, column in (("observed_on", self.observed_on), ("delivery.changed_at", self.delivery.changed_at)):
            if column is not None and column not in staging_columns:
                raise ValueError(
                    f"{label} {column!r} is not a staging column of this resource "
                    f"(one of: {', '.join(sorted(staging_columns))})"
                )
        self._delivery_fits_source()
        self._division_is_known()
        return self

    def _division_is_known(self) -> None:
        column, party = self.division.column, self.division.party
        if column is not None:
            field = next((f for f in self.fields if f.staging_column == column), None)
            if field is None or field.element != "division_code":
                raise ValueError(f"division.column {column!r} is not a division_code staging column of this resource")
        elif self.party_subjects().get(party) not in DIVIDED_SUBJECTS:
            raise ValueError(
                f"division.party {party!r} is not a party of this resource in {' or '.join(DIVIDED_SUBJECTS)} "
                f"(parties: {', '.join(self.party_subjects())}): declare `division`"
            )

    def _delivery_fits_source(self) -> None:
        d, names = self.delivery, {f.name for f in self.fields}
        if (d.semantics is Semantics.CHANGES) != (d.operation is not None):
            raise ValueError("delivery: a `changes` feed, and only it, declares its `operation` column")
        if d.semantics is Semantics.CHANGES and d.changed_at is None:
            raise ValueError("delivery: a `changes` feed must name its change time (`changed_at`)")
        if d.operation is not None and d.operation.field not in names:
            raise ValueError(f"delivery.operation.field {d.operation.field!r} is not a field of this resource")
        watermark = self.watermark_field
        if watermark is not None and watermark not in names:
            raise ValueError(f"source.updated_at_column {watermark!r} is not a field of this resource")
        table = isinstance(self.source, DatabaseSource) and watermark is not None
        if d.full_snapshot_every is not None and not table:
            raise ValueError("delivery.full_snapshot_every applies to database tables read by `updated_at_column`")
        if watermark is not None and not table and d.semantics is not Semantics.INCREMENT:
            raise ValueError("an API read by `updated_since` delivers an `increment`")
        if table and (d.semantics is not Semantics.SNAPSHOT or d.full_snapshot_every is None):
            raise ValueError(
                "a database table read by its `updated_at_column` watermark is a `snapshot` resource and "
                "declares `full_snapshot_every` (the full reads catch records deleted at the source)"
            )

    @property
    def watermark_field(self) -> str | None:
        """The source field an incremental extraction reads from (database tables, APIs with `updated_since`)."""
        return getattr(self.source, "updated_at_column", None)

    def field_by_staging_column(self, column: str) -> FieldSpec:
        return next(f for f in self.fields if f.staging_column == column)

    def party_subjects(self) -> dict[str, Subject]:
        """Every party a record describes, with its subject database.

        The record's subject is a party of its own unless declared parties belong to the same subject
        database: a birth record names a newborn, a mother and a father, not a fourth person."""
        out = dict(self.parties)
        if self.subject not in out.values():
            out = {SUBJECT_PARTY: self.subject, **out}
        return out

    @property
    def division_identifier(self) -> str | None:
        """The staging column of the division party's identifier (a husband's citizen ID, a licence holder's
        credit code), if the record carries one; None for a division of the record's own."""
        if self.division.party is None:
            return None
        element = DIVIDED_SUBJECTS[self.party_subjects()[self.division.party]]
        parties = (None, SUBJECT_PARTY) if self.division.party == SUBJECT_PARTY else (self.division.party,)
        field = next((f for f in self.fields if f.element == element and f.party in parties), None)
        return field.staging_column if field else None

    @property
    def key_field(self) -> FieldSpec:
        return next(f for f in self.fields if f.key)


class Department(Strict):
    code: Annotated[str, Field(pattern=SLUG)]
    name: LocalisedText
    uscc: str | None = None


class DepartmentCatalog(Strict):
    """The content of one `catalog/<department>.yml` file."""

    department: Department
    resources: list[Resource]


class Catalog(Strict):
    """The whole validated catalogue."""

    departments: dict[str, DepartmentCatalog]

    def resources(self) -> list[tuple[Department, Resource]]:
        return [(d.department, r) for d in self.departments.values() for r in d.resources]

    def resource(self, department: str, slug: str) -> Resource:
        for r in self.departments[department].resources:
            if r.slug == slug:
                return r
        raise KeyError(f"{department}/{slug}")
