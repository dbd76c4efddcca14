"""The vocabulary a data element may use to declare its normalisation and checks.

Every step and check kind here has exactly one Python implementation (`python.py`) and one SQL
template per dialect (`sql.py`); adding a kind means adding both, and the agreement tests prove
they match. Declarations name kinds and parameters only, never code.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class Dimension(StrEnum):
    """GB/T 36344-2018 data quality dimensions."""

    CONFORMITY = "conformity"  # 规范性
    COMPLETENESS = "completeness"  # 完整性
    ACCURACY = "accuracy"  # 准确性
    CONSISTENCY = "consistency"  # 一致性
    TIMELINESS = "timeliness"  # 时效性
    ACCESSIBILITY = "accessibility"  # 可访问性

    @property
    def names(self) -> dict[str, str]:
        """Its name in each language of the published pages."""
        return {"zh": _DIMENSION_NAMES_ZH[self], "en": self.value.capitalize()}


_DIMENSION_NAMES_ZH = {
    Dimension.CONFORMITY: "规范性",
    Dimension.COMPLETENESS: "完整性",
    Dimension.ACCURACY: "准确性",
    Dimension.CONSISTENCY: "一致性",
    Dimension.TIMELINESS: "时效性",
    Dimension.ACCESSIBILITY: "可访问性",
}


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- normalisation steps, applied in the declared order ---------------------------------------------
class Fullwidth(_Strict):
    """Full-width ASCII forms (U+FF01..U+FF5E) and the ideographic space to their half-width forms."""

    op: Literal["fullwidth"]


class Trim(_Strict):
    op: Literal["trim"]


class RemoveWhitespace(_Strict):
    op: Literal["remove_whitespace"]


class CollapseWhitespace(_Strict):
    """Runs of whitespace become one space; whitespace between two Chinese characters is removed."""

    op: Literal["collapse_whitespace"]


class RemoveChars(_Strict):
    op: Literal["remove_chars"]
    chars: str


class ReplaceChars(_Strict):
    """Character-for-character replacement (e.g. the look-alikes of the middle dot in names)."""

    op: Literal["replace_chars"]
    source: str
    target: str


class UpperAscii(_Strict):
    """a-z to A-Z only: Unicode case mapping differs between engines."""

    op: Literal["upper_ascii"]


class TraditionalToSimplified(_Strict):
    """OpenCC t2s, character by character, through the table in `codelists/t2s_characters.csv`."""

    op: Literal["t2s"]


class DropPrefix(_Strict):
    op: Literal["drop_prefix"]
    prefix: str
    length: int | None = None  # only when the value has this many characters


class MapValues(_Strict):
    """Department spellings to codes (男 -> 1); `codelist_names` maps each code list name to its code."""

    op: Literal["map"]
    values: dict[str, str] = Field(default_factory=dict)
    codelist_names: bool = False


class UpgradeId15(_Strict):
    """GB 11643-1989 15-digit numbers to 18 digits: century 19 inserted, MOD 11-2 check appended."""

    op: Literal["upgrade_id15"]


class IsoDate(_Strict):
    """YYYYMMDD, YYYY-M-D, YYYY/MM/DD, YYYY.MM.DD and YYYY年M月D日 to YYYY-MM-DD (validity is a check)."""

    op: Literal["iso_date"]


Step = Annotated[
    Fullwidth
    | Trim
    | RemoveWhitespace
    | CollapseWhitespace
    | RemoveChars
    | ReplaceChars
    | UpperAscii
    | TraditionalToSimplified
    | DropPrefix
    | MapValues
    | UpgradeId15
    | IsoDate,
    Field(discriminator="op"),
]


# --- checks, on the normalised value; a missing value is not checked (completeness counts it) ------
class _Check(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    dimension: Dimension
    severity: Severity = Severity.ERROR
    when: str | None = None  # a regex: the check applies only to values matching it (else not applicable)
    description: str | None = None


class RegexCheck(_Check):
    kind: Literal["regex"]
    pattern: str  # whole-value match, ASCII classes only (\d is 0-9 in Python, RE2 and Java alike)


class MaxLengthCheck(_Check):
    kind: Literal["max_length"]
    length: int


class CodelistCheck(_Check):
    kind: Literal["codelist"]
    codelist: str
    start: int = 1  # 1-based substring of the value that must be a code
    length: int | None = None
    extra: list[str] = Field(default_factory=list)  # codes valid here though not in the list
    current: bool = False  # only codes still valid (no end year)


class ChecksumCheck(_Check):
    kind: Literal["checksum"]
    algorithm: Literal["gb11643", "gb11714", "gb32100", "mod37_36_licence"]
    start: int = 1
    length: int | None = None


class DateCheck(_Check):
    """A real calendar date not in the future, from `min_year`; ISO layout, or compact YYYYMMDD in a substring.
    `future: true` for dates of what is to come (a licence's expiry), which may lie after today."""

    kind: Literal["date"]
    start: int = 1
    length: int | None = None
    layout: Literal["iso", "compact"] = "iso"
    min_year: int = 1800
    future: bool = False


Check = Annotated[RegexCheck | MaxLengthCheck | CodelistCheck | ChecksumCheck | DateCheck, Field(discriminator="kind")]


# --- cross-field rules, on normalised values of two fields of one record ------------------------------
class CrossFieldRule(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal["id_birth_date", "id_sex_parity", "id_division_at_birth", "date_order"]
    left: str  # data element of the first field (the ID number, or the earlier date)
    right: str  # data element of the second field
    columns: tuple[str, str] = Field(
        description="The standard columns (catalogue `column`, or the element) of one party it compares."
    )
    dimension: Dimension
    severity: Severity = Severity.ERROR
    description: str


class Placeholders(_Strict):
    """Values that mean "no value": compared after trimming, ASCII letters case-insensitively."""

    values: list[str]
