"""The government information resource catalogue (`catalog/`): models and validated loading."""

from pipelines.catalog.loader import CatalogInvalid, Problem, field_sensitivity, load_catalog, validate_catalog
from pipelines.catalog.models import Catalog, Department, DepartmentCatalog, FieldSpec, Resource

__all__ = [
    "Catalog",
    "CatalogInvalid",
    "Department",
    "DepartmentCatalog",
    "FieldSpec",
    "Problem",
    "Resource",
    "field_sensitivity",
    "load_catalog",
    "validate_catalog",
]
