"""Read and validate the catalogue, reporting every problem with its file and line.

Nothing runs on a catalogue that does not validate: ingestion, DAG generation and suites all start
from `load_catalog()`, which raises `CatalogInvalid` listing all problems at once.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.catalog.models import Catalog, DepartmentCatalog, FieldSpec
from pipelines.paths import CATALOG_DIR
from pipelines.standards.registry import DataElement, Sensitivity, load_elements
from pipelines.yamlio import DeclarationsInvalid, Problem, YamlDocument, read

DATED = ("date", "timestamp")  # data element datatypes a record's `observed_on` may have


class CatalogInvalid(DeclarationsInvalid):
    what = "catalogue is"


def validate_catalog(catalog_dir: Path = CATALOG_DIR) -> tuple[Catalog | None, list[Problem]]:
    """Validate every `*.yml` under `catalog_dir`; return the catalogue (if valid) and all problems."""
    elements = load_elements()
    problems: list[Problem] = []
    parsed: dict[Path, tuple[YamlDocument, DepartmentCatalog]] = {}
    paths = sorted(catalog_dir.glob("*.yml"))
    if not paths:
        problems.append(Problem(catalog_dir, 1, "no catalogue files (*.yml) found"))
    for path in paths:
        doc, dept, found = read(path, DepartmentCatalog)
        problems.extend(found)
        if doc is not None and dept is not None:
            parsed[path] = (doc, dept)

    # a file that failed to parse still names a department, so its problems do not cascade
    known_departments = {d.department.code for _, d in parsed.values()} | {p.stem for p in paths}
    codes_seen: dict[str, Problem] = {}
    for path, (doc, dept) in parsed.items():
        if dept.department.code != path.stem:
            problems.append(
                Problem(
                    path,
                    doc.line_of(("department", "code")),
                    f"department code {dept.department.code!r} differs from file name {path.stem!r}",
                )
            )
        slugs: set[str] = set()
        for i, res in enumerate(dept.resources):
            where = ("resources", i)
            if res.code in codes_seen:
                first = codes_seen[res.code]
                problems.append(
                    Problem(
                        path,
                        doc.line_of((*where, "code")),
                        f"duplicate resource code {res.code!r} (first at {first.path}:{first.line})",
                    )
                )
            else:
                codes_seen[res.code] = Problem(path, doc.line_of((*where, "code")), "")
            if res.slug in slugs:
                problems.append(Problem(path, doc.line_of((*where, "slug")), f"duplicate resource slug {res.slug!r}"))
            slugs.add(res.slug)
            for j, field in enumerate(res.fields):
                if field.element not in elements:
                    problems.append(
                        Problem(
                            path,
                            doc.line_of((*where, "fields", j, "element")),
                            f"unknown data element {field.element!r} (field {field.name!r})",
                        )
                    )
            for label, where_dated, column in (
                ("observed_on", (*where, "observed_on"), res.observed_on),
                ("delivery.changed_at", (*where, "delivery"), res.delivery.changed_at),
            ):
                dated = res.field_by_staging_column(column) if column else None
                if dated and dated.element in elements and elements[dated.element].datatype not in DATED:
                    problems.append(
                        Problem(
                            path,
                            doc.line_of(where_dated),
                            f"{label} {column!r} is field {dated.name!r} of element {dated.element!r}, "
                            f"which is not a date or time ({elements[dated.element].datatype})",
                        )
                    )
            for k, other in enumerate(res.sharing.shared_with):
                if other not in known_departments:
                    problems.append(
                        Problem(
                            path, doc.line_of((*where, "sharing", "shared_with", k)), f"unknown department {other!r}"
                        )
                    )
    problems.sort()
    if problems:
        return None, problems
    return Catalog(departments={d.department.code: d for _, d in parsed.values()}), []


def load_catalog(catalog_dir: Path = CATALOG_DIR) -> Catalog:
    catalog, problems = validate_catalog(catalog_dir)
    if problems:
        raise CatalogInvalid(problems)
    assert catalog is not None
    return catalog


def field_sensitivity(field: FieldSpec, elements: dict[str, DataElement] | None = None) -> Sensitivity:
    """A field's own sensitivity, or its data element's default."""
    if field.sensitivity is not None:
        return field.sensitivity
    return (elements or load_elements())[field.element].sensitivity
