"""Differential tests against an independent oracle (python-stdnum) and the standards' own examples.

stdnum's `cn.ric.validate` also requires the address code to have existed in the birth year (its
loc.dat validity spans); the standard does not (codes are assigned at issuance and reused), and it
rejects the standard's own example 440524188001010014. So: whatever stdnum accepts we accept (unless its birth date is in the future or before the declared
minimum year 1800, both of which stdnum allows), and
whatever we accept that stdnum rejects must be explained by that coupling, a residence permit
(81/82/83) or a foreign permanent residence card (leading 9).
"""

from __future__ import annotations

from datetime import date

import pytest
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from pipelines.standards.evaluate import with_python
from pipelines.standards.samples import samples

N = 100_000


def _loc_knows_code_in_year(code: str, year: int) -> bool:
    info = numdb.get("cn/loc").info(code)
    return len(info) == 2 and any(v for v in info[1][1].values()) and _year_ok(info[1][1].get("county", ""), year)


def _year_ok(names: str, year: int) -> bool:
    for name in names.split(","):
        if name.startswith("["):
            low, high = name[1:].split("]")[0].split("-")
            if (not low or int(low) <= year) and (not high or year <= int(high)):
                return True
        else:
            return True
    return False


def _stdnum_ric_valid(n: str) -> bool:
    """stdnum 2.2's `ric.is_valid` raises KeyError (not ValidationError) for address codes whose
    loc.dat entry has no county name, e.g. a province's own code: that is a rejection too."""
    try:
        return ric.is_valid(n)
    except KeyError:
        return False


def test_citizen_id_agrees_with_stdnum():
    values = samples("citizen_id", N, seed=11)
    results = with_python("citizen_id", values)
    accepted_by_both = explained = future = 0
    for (n, checks), _raw in zip(results, values, strict=True):
        if n is None:
            continue
        ours = all(checks.values())
        theirs = _stdnum_ric_valid(n)
        if theirs and not ours:  # stricter here only in refusing birth dates in the future or before 1800
            assert [k for k, v in checks.items() if not v] == ["birth_date"], n
            assert n[6:14] > date.today().strftime("%Y%m%d") or n[6:10] < "1800", n
            future += 1
        elif theirs:
            accepted_by_both += 1
        elif ours:
            # only the birth-year coupling, permits and foreign cards may separate us
            assert n[:2] in ("81", "82", "83") or n[0] == "9" or not _loc_knows_code_in_year(n[:6], int(n[6:10])), n
            explained += 1
        if checks["format"]:  # the check character itself always agrees
            assert checks["check_char"] == (ric.calc_check_digit(n) == n[17]), n
    assert accepted_by_both > 15_000 and explained > 100 and future > 0


def test_uscc_agrees_with_stdnum():
    values = samples("uscc", N, seed=12)
    compared = 0
    for n, checks in with_python("uscc", values):
        if n is None or not checks["format"]:
            continue
        compared += 1
        if n[:8].isdigit():
            assert checks["check_char"] == uscc.is_valid(n), n
        else:  # stdnum wants 8 leading digits, refusing the authorities A, N and Y of GB 32100: compare the check alone
            assert checks["check_char"] == (uscc.calc_check_digit(n) == n[17]), n
    assert compared > 20_000


def test_stdnum_pitfall_is_real():
    """The reason for the differential rule above: stdnum rejects the standard's own example."""
    with pytest.raises(ValidationError):
        ric.validate("440524188001010014")
    assert with_python("citizen_id", ["440524188001010014"])[0][1] == {
        "format": True,
        "check_char": True,
        "birth_date": True,
        "address_code": True,
    }


EXAMPLES = [
    ("citizen_id", "11010519491231002X", True),
    ("citizen_id", "440524188001010014", True),
    ("citizen_id", "360426199101010071", True),
    ("citizen_id", "44011320141005001X", True),
    ("citizen_id", "110105491231002", True),  # 15 digits, upgraded to the standard's 18-digit example
    ("citizen_id", "810000200001010014", True),  # Hong Kong residence permit (body 81000020000101001, check 4)
    ("citizen_id", "11010519491231002Y", False),
    ("citizen_id", "110105194912310021", False),
    ("uscc", "91350100M000100Y43", True),
    ("uscc", "91110000600037341L", True),
    ("uscc", "91350100M000100Y44", False),
    ("organisation_code", "M000100Y-4", True),
    ("organisation_code", "60003734-1", True),
    ("organisation_code", "60003734-2", False),
    ("licence_id", "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U", True),
    ("licence_id", "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0", True),
    ("licence_id", "1.2.156.3005.2.11100000000013338W001.11110000000021135M.2024000001.001.Z", True),
    ("licence_id", "1.2.156.3005.2.11100000000013338W001.11110000000021135M.2024000001.001.Y", False),
]


@pytest.mark.parametrize(("element_id", "value", "valid"), EXAMPLES)
def test_published_examples(element_id, value, valid):
    n, checks = with_python(element_id, [value])[0]
    assert all(v is not False for v in checks.values()) is valid, (n, checks)
