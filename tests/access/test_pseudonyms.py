"""Keyed pseudonyms resist enumeration; a plain hash of an ID number does not.

A masked ID (330206********123X) leaves only the eight digits of the birth date unknown: about
46,000 candidates for 1900-2026. An attacker who has a plain SHA-256 of the number finds it among
them at once (the check character leaves one date in eleven: ~4,200 numbers); with the HMAC pseudonym and without the key, nothing matches — while whoever holds the
key finds it the same way, which shows the enumeration itself is sound.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, timedelta

import pytest

from pipelines.access.query import run_query
from pipelines.privacy.keys import derived_key
from pipelines.privacy.pseudonyms import PSEUDONYM_HEX_CHARS, Pseudonymiser
from pipelines.standards.masking import mask

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("access")]

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def check_char(body: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def candidates(masked: str) -> list[str]:
    """Every valid ID number matching a masked one (`330206********123X`): all birth dates 1900-2026."""
    division, tail = masked[:6], masked[-4:]
    day, out = date(1900, 1, 1), []
    while day <= date(2026, 12, 31):
        body = f"{division}{day:%Y%m%d}{tail[:3]}"
        if check_char(body) == tail[3]:
            out.append(body + tail[3])
        day += timedelta(days=1)
    return out


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def test_plain_hashes_are_reversed_and_keyed_pseudonyms_are_not(access_city):
    settings = access_city.settings
    shown = run_query(
        "analyst",
        "select citizen_id_pseudonym from public_security.household_registry "
        "where citizen_id_pseudonym is not null order by citizen_id_pseudonym limit 200",
        settings=settings,
    ).rows
    secret_holder = Pseudonymiser.for_purpose("role/analyst", settings)  # the platform, which holds the key
    id_of = {secret_holder("citizen_id", p["citizen_id"]): p["citizen_id"] for p in access_city.people}
    # the analyst sees no form of the ID any more; the attacker is granted its masked form from elsewhere
    targets = [
        (mask("citizen_id", id_of[pseudonym]), pseudonym, id_of[pseudonym])
        for (pseudonym,) in shown
        if pseudonym in id_of and check_char(id_of[pseudonym][:17]) == id_of[pseudonym][17]
    ][:20]
    guessed_key = hmac.new(b"govlake", b"govlake/pseudonym", hashlib.sha256).digest()
    reversed_plain = reversed_keyed = reversed_with_key = 0
    tried = 0
    for masked, pseudonym, true_id in targets:
        space = candidates(masked)
        tried += len(space)
        plain = sha256(true_id)  # what a table published with plain hashes would hold
        by_plain = {sha256(c): c for c in space}
        reversed_plain += by_plain.get(plain) == true_id
        wrong = Pseudonymiser(guessed_key)
        reversed_keyed += any(wrong("citizen_id", c) == pseudonym for c in space)
        reversed_keyed += any(sha256(c)[:PSEUDONYM_HEX_CHARS] == pseudonym for c in space)
        right = Pseudonymiser(derived_key("pseudonym/role/analyst", settings))
        reversed_with_key += any(right("citizen_id", c) == pseudonym for c in space)
    assert tried > 20 * 4_000  # ~46,000 dates each, of which the check character leaves one in eleven
    assert reversed_plain == len(targets) == 20  # every plain hash falls to enumeration
    assert reversed_keyed == 0  # no pseudonym falls without the key
    assert reversed_with_key == len(targets)  # (the search space did contain them)


def test_pseudonyms_are_stable_and_separate_kinds(access_city):
    p = Pseudonymiser.for_purpose("role/analyst", access_city.settings)
    assert p("citizen_id", "330206199001011234") == p("citizen_id", "330206199001011234")
    assert p("citizen_id", "330206199001011234") != p("person", "330206199001011234")
    other = Pseudonymiser(b"another key, another deployment........")
    assert other("citizen_id", "330206199001011234") != p("citizen_id", "330206199001011234")


def test_each_purpose_has_its_own_pseudonyms(access_city):
    """Attack 2's join, and any like it: the analyst's, a department's and the verification service's
    pseudonyms of one ID number differ, so a value seen in one place joins nothing in another."""
    settings = access_city.settings
    purposes = ["role/analyst", "role/health", "role/tax", "verification"]
    seen = {Pseudonymiser.for_purpose(p, settings)("citizen_id", "330206199001011234") for p in purposes}
    assert len(seen) == len(purposes)


def test_rotating_a_purpose_key_re_pseudonymises_what_it_keyed(access_city, tmp_path):
    """`govlake access rotate-key role/analyst`: every analyst pseudonym changes, the row counts do not, and
    other purposes keep theirs."""
    import shutil

    from typer.testing import CliRunner

    from pipelines.cli import app
    from pipelines.settings import get_settings

    data = tmp_path / "data"
    shutil.copytree(access_city.settings.data_dir, data, ignore=shutil.ignore_patterns("lake"))
    settings = access_city.settings.model_copy(update={"data_dir": data})
    seen = "select citizen_id_pseudonym from population.persons where citizen_id_pseudonym is not null"
    others = (
        "select citizen_id_pseudonym from public_security.household_registry where citizen_id_pseudonym is not null"
    )
    before = {r[0] for r in run_query("analyst", seen, settings=settings).rows}
    health_before = {r[0] for r in run_query("health", others, settings=settings).rows}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GOVLAKE_DATA_DIR", str(data))
        mp.setenv("GOVLAKE_PSEUDONYM_KEY", settings.pseudonym_key.get_secret_value())
        get_settings.cache_clear()
        try:
            rotated = CliRunner().invoke(app, ["access", "rotate-key", "role/analyst"])
        finally:
            get_settings.cache_clear()
    assert rotated.exit_code == 0 and "version 2" in rotated.output, rotated.output
    after = {r[0] for r in run_query("analyst", seen, settings=settings).rows}
    assert len(after) == len(before) > 1000 and not before & after
    assert {r[0] for r in run_query("health", others, settings=settings).rows} == health_before


def test_a_pseudonymiser_pickles_to_the_same_pseudonyms():
    """Spark ships the pseudonym function to its Python workers pickled: they must compute the same values."""
    import pickle

    here = Pseudonymiser(b"k" * 32)
    there = pickle.loads(pickle.dumps(here))
    values = ["330206199001011234", None, "330206199001011234"]
    assert there.many(["citizen_id"] * 3, values) == here.many(["citizen_id"] * 3, values)
    assert (
        here.many(["citizen_id"] * 3, values)[0] == here("citizen_id", values[0]) and here("citizen_id", None) is None
    )
