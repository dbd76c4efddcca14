"""Display masking of personal data (GB/T 35273 §7.2 display restriction, GB/T 37964 suppression).

A named, versioned rule per data element, so every masked value can say how it was masked. Used
wherever a value may be shown: CLI examples, failing samples, error messages.
"""

from __future__ import annotations

from collections.abc import Callable

from pipelines.standards.registry import Sensitivity, load_elements

MASKING_VERSION = "mask-v1"


def _keep(head: int, tail: int) -> Callable[[str], str]:
    def mask(v: str) -> str:
        if len(v) <= head + tail:
            return "*" * len(v)
        return (
            v[:head] + "*" * (len(v) - head - tail) + v[len(v) - tail :] if tail else v[:head] + "*" * (len(v) - head)
        )

    return mask


def _name(v: str) -> str:
    return v[:1] + "*" if len(v) <= 2 else v[:1] + "*" * (len(v) - 2) + v[-1:]


RULES: dict[str, Callable[[str], str]] = {
    "citizen_id": _keep(6, 4),  # 110105********002X
    "mobile_phone": _keep(3, 4),  # 138****8000
    "person_name": _name,  # 张*, 欧*娜
    "address": _keep(6, 0),  # down to about the district
    "household_number": _keep(2, 2),
    "birth_date": _keep(4, 0),  # the year (a birth date is personal wherever it appears)
}


def mask(element_id: str | None, value: str | None) -> str | None:
    """The value as it may be displayed: personal elements masked, others unchanged."""
    if value is None:
        return None
    if element_id in RULES:
        return RULES[element_id](value)
    element = load_elements().get(element_id or "")
    if element is None or element.sensitivity in (Sensitivity.PERSONAL, Sensitivity.SENSITIVE_PERSONAL):
        return _keep(1, 1)(value)  # unknown or personal without a rule: almost nothing shown
    return value
