"""Check-character algorithms of the national identifiers (verified in shared/reference/standards.md).

Pure functions on already-normalised strings, so they can be unit-tested without any engine and
reused by the synthetic-city generator and the validators alike.
"""

from __future__ import annotations

import re

RIC_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I O S V Z
USCC_VALUES = {c: i for i, c in enumerate(USCC_ALPHABET)}
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
MOD37_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def ric_check_char(body17: str) -> str:
    """GB 11643-1999 check character (ISO 7064 MOD 11-2) of the first 17 digits."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(body17, RIC_WEIGHTS, strict=True)) % 11]


def ric_upgrade_15(id15: str, century: str = "19") -> str:
    """GB 11643-1989 15-digit number to its 18-digit form (century assumed 19)."""
    body = id15[:6] + century + id15[6:]
    return body + ric_check_char(body)


def org_code_check_char(body8: str) -> str:
    """GB 11714-1997 check character (MOD 11, letters valued A=10 ... Z=35)."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True))
    c9 = 11 - total % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


def uscc_check_char(body17: str) -> str:
    """GB 32100-2015 check character (MOD 31 over the 31-symbol alphabet)."""
    total = sum(USCC_VALUES[c] * w for c, w in zip(body17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def mod37_36_check_char(text: str) -> str:
    """ISO 7064 MOD 37,36 check character (GB/T 36904 electronic licence identifiers)."""
    p = 36
    for ch in text:
        r = (p + MOD37_ALPHABET.index(ch)) % 36 or 36
        p = (2 * r) % 37
    return MOD37_ALPHABET[(37 - p) % 36]


# --- whole-value validity: the shape first (ASCII only), so no look-alike digit reaches int() ------
_RIC = re.compile(r"\d{17}[0-9X]", re.ASCII)
_ORG = re.compile(r"[0-9A-Z]{8}[0-9X]", re.ASCII)
_USCC = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}", re.ASCII)
_LICENCE = re.compile(r"1\.2\.156\.3005\.2\.([0-9A-Z]+)\.([0-9A-Z]+)\.([0-9A-Z]+)\.(\d{3})\.([0-9A-Z])", re.ASCII)


def ric_valid(value: str) -> bool:
    return _RIC.fullmatch(value) is not None and ric_check_char(value[:17]) == value[17]


def org_code_valid(value: str) -> bool:
    return _ORG.fullmatch(value) is not None and org_code_check_char(value[:8]) == value[8]


def uscc_valid(value: str) -> bool:
    """The final check character only; the embedded GB 11714 check (positions 9-17) is `org_code_valid`."""
    return _USCC.fullmatch(value) is not None and uscc_check_char(value[:17]) == value[17]


def licence_id_valid(value: str) -> bool:
    m = _LICENCE.fullmatch(value)
    return m is not None and mod37_36_check_char("".join(m.group(1, 2, 3, 4))) == m[5]


CHECKSUMS = {
    "gb11643": ric_valid,
    "gb11714": org_code_valid,
    "gb32100": uscc_valid,
    "mod37_36_licence": licence_id_valid,
}


# --- a body completed with its check character, for generated samples --------------------------------
def _licence_completed(text: str) -> str:
    m = _LICENCE.fullmatch(text)
    return text[:-1] + mod37_36_check_char("".join(m.group(1, 2, 3, 4))) if m else text


COMPLETIONS = {
    "gb11643": lambda t: t[:17] + ric_check_char(t[:17]),
    "gb11714": lambda t: t[:8] + org_code_check_char(t[:8]),
    "gb32100": lambda t: t[:17] + uscc_check_char(t[:17]),
    "mod37_36_licence": _licence_completed,
}


def completed(algorithm: str, text: str) -> str:
    """`text` with its last character replaced by the check character `algorithm` computes, if it can."""
    try:
        return COMPLETIONS[algorithm](text)
    except (KeyError, ValueError, IndexError):
        return text
