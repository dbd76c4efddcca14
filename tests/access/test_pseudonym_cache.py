"""The verification index's kept pseudonyms: a build keys only the persons whose (ID, name) it has not
keyed under this key, and the index comes out as if every person were keyed again."""

from __future__ import annotations

import hashlib

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.privacy.pseudonyms import Pseudonymiser
from pipelines.verification.index import key_persons
from pipelines.verification.pseudonym_cache import cached_pseudonyms

IDS = [f"11010119900101{n:04d}" for n in range(6)]


def persons(names: list[str | None], ids: list[str] = IDS) -> pa.Table:
    return pa.table(
        {"citizen_id": ids, "person_name": names},
        schema=pa.schema([("citizen_id", pa.string()), ("person_name", pa.string())]),
    )


class Counting:
    """Keys like the index does, and counts the persons it keyed."""

    def __init__(self, pseudonymise: Pseudonymiser) -> None:
        self.pseudonymise, self.keyed = pseudonymise, []

    def __call__(self, ids, names):
        self.keyed += ids
        return key_persons(self.pseudonymise, ids, names)


def index(table: pa.Table, cache, key: bytes) -> tuple[list, list, list]:
    pseudonymise = Pseudonymiser(key)
    compute = Counting(pseudonymise)
    ids, identities = cached_pseudonyms(table, cache, pseudonymise, compute)
    return ids.to_pylist(), identities.to_pylist(), compute.keyed


def test_a_day_keys_only_the_persons_it_has_not_keyed(tmp_path):
    cache, key = tmp_path / "cache.parquet", b"k" * 32
    names = ["张三", "李四", None, "王五", "赵六", "钱七"]
    first = index(persons(names), cache, key)
    assert first[2] == IDS  # nothing kept yet: everyone keyed
    # a day: one name corrected, one name found for a person who had none, one new person, one gone; reordered
    day_names = ["张三", "李肆", "孙八", "王五", "赵六"]
    day_ids = [*IDS[:5]]
    day_ids[4], day_names[4] = "110101199001019999", "周九"
    day = persons(day_names[::-1], day_ids[::-1])
    kept = index(day, cache, key)
    assert sorted(kept[2]) == sorted([IDS[1], IDS[2], "110101199001019999"])
    whole = index(day, tmp_path / "none.parquet", key)
    assert kept[:2] == whole[:2]  # as if every person were keyed again, in the day's order
    assert index(day, cache, key)[2] == []  # the same day again keys no one


def test_the_cache_cannot_be_enumerated_without_the_key(tmp_path):
    """An ID space is small: a plain MD5 of (ID, name) is reversed by trying every ID with a name. The
    cache's MD5s are salted with a pseudonym, so trying them needs the key; and it holds no ID or name."""
    cache, names = tmp_path / "cache.parquet", ["张三", "李四", None, "王五", "赵六", "钱七"]
    index(persons(names), cache, b"k" * 32)
    held = pq.read_table(cache)
    plain = {hashlib.md5(f"{i}|{'=' + n if n else '-'}".encode()).hexdigest() for i, n in zip(IDS, names, strict=True)}
    assert held.num_rows == len(IDS) and not plain & set(held.column("keyed").to_pylist())
    text = str(held.to_pylist())
    assert not any(i in text for i in IDS) and not any(n in text for n in names if n)


def test_another_key_starts_over(tmp_path):
    cache = tmp_path / "cache.parquet"
    names = ["张三", "李四", None, "王五", "赵六", "钱七"]
    index(persons(names), cache, b"a" * 32)
    rotated = index(persons(names), cache, b"b" * 32)
    assert rotated[2] == IDS
    assert rotated[:2] == index(persons(names), tmp_path / "none.parquet", b"b" * 32)[:2]
