"""What the synthetic city looks like: size, seed, reference date and defect rates."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class DefectRates(BaseModel):
    """Probability that an eligible value (or record) receives each kind of defect."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bad_check_char: float = Field(0.01, ge=0, le=1, description="ID number / credit code with a wrong check character")
    legacy_15_digit: float = Field(
        0.02, ge=0, le=1, description="ID of a person born in the 1900s given in its 15-digit form"
    )
    full_width_digits: float = Field(0.01, ge=0, le=1, description="digits typed in full width (０-９)")
    lowercase_x: float = Field(0.3, ge=0, le=1, description="an ID ending in X typed as lower-case x")
    traditional_chars: float = Field(0.02, ge=0, le=1, description="name typed in traditional characters")
    placeholder: float = Field(0.02, ge=0, le=1, description="optional value replaced by 无/不详/'/'/NULL ...")
    missing_required: float = Field(0.01, ge=0, le=1, description="required value left empty")
    out_of_codelist: float = Field(0.01, ge=0, le=1, description="code outside its code list")
    impossible_date: float = Field(0.005, ge=0, le=1, description="date that does not exist or lies in the future")
    disagreement: float = Field(
        0.03, ge=0, le=1, description="name, sex or birth date differs from the authoritative source"
    )
    duplicate_record: float = Field(0.01, ge=0, le=1, description="record delivered twice by one department")
    missing_id: float = Field(0.03, ge=0, le=1, description="person record without any ID number")
    licence_lifecycle: float = Field(
        0.03, ge=0, le=1, description="licence status inconsistent with its dates or holder"
    )

    @classmethod
    def none(cls) -> DefectRates:
        return cls(**dict.fromkeys(cls.model_fields, 0.0))


class DepartmentProfile(BaseModel):
    """A department's own quality: how much more (or less) often than the city's rates its clerks make
    each defect, in the records it holds and in what it delivers as the city lives."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    defects: float = Field(1.0, ge=0, description="multiplier on every defect rate (a rate never exceeds 1)")
    late: float | None = Field(
        None, ge=0, le=1, description="probability a periodic file arrives weeks late (default: the city's habit)"
    )


# The demo's departments, best to worst: the quarter's league table should rank them in this order. The
# authorities (public security for people, health for births, market regulation for enterprises) come
# first: a golden record is only as good as its authority, and every department that disagrees with a
# wrong one is scored down for it.
DEMO_PROFILES = {
    "public_security": DepartmentProfile(defects=0.05),
    "health": DepartmentProfile(defects=0.1, late=0.0),
    "market_regulation": DepartmentProfile(defects=0.2),
    "civil_affairs": DepartmentProfile(defects=0.5),
    "hr_social_security": DepartmentProfile(defects=1.0),
    "tax": DepartmentProfile(defects=4.0),
}


class CityConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    people: int = Field(10_000, ge=10)
    seed: int = 42
    as_of: date = date(2026, 10, 31)
    periods: int = Field(3, ge=1, le=24, description="monthly deliveries ending with the month of as_of")
    rates: DefectRates = DefectRates()
    profiles: dict[str, DepartmentProfile] = Field(
        default_factory=dict, description="department code -> its quality profile (others: the city's rates)"
    )
    dormant_resource: str = "civil_affairs/social_organisations"
    gap_resource: str = "health/death_records"
    malformed_files: bool = True
    public_security_url: str | None = None
    market_regulation_url: str | None = None
