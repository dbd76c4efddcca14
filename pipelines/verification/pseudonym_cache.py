"""The verification index's pseudonyms, kept from one build to the next: a day keys a day's persons.

Keying every person's ID and (ID, name) is two HMACs per person in Python, about 4 s at a million people,
though a day changes a few hundred of them. The last build's pseudonyms are kept beside the platform's data,
never with the index or a role, each under an MD5 of the values it keys salted with a pseudonym of a
constant (which the cache does not hold: its MD5s cannot be enumerated without the key): a build keys only
the persons whose (ID, name) is not there. The cache holds a digest of the key it was made under (another
pseudonym of a constant): a rotated key starts it over.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.lake.layout import write_parquet_atomically
from pipelines.privacy.pseudonyms import Pseudonymiser

COLUMNS = ("id_pseudonym", "identity_digest")


def _keyed(salt: str) -> str:
    """SQL: what is keyed, as one value: the ID, and the name (NULL kept apart from every name), salted."""
    return f"md5('{salt}' || citizen_id || '|' || coalesce('=' || person_name, '-'))"


def cached_pseudonyms(
    persons: pa.Table, cache: Path, pseudonymise: Pseudonymiser, compute
) -> tuple[pa.Array, pa.Array]:
    """The columns `COLUMNS` for every row of `persons` (`citizen_id`, `person_name`), in its order:
    from `cache` where it holds them under this key, else from `compute(ids, names)` (two lists); then
    `cache` holds this build's."""
    fingerprint, keyed = pseudonymise.fingerprint(), _keyed(pseudonymise("key", "cache salt"))
    rows = persons.select(["citizen_id", "person_name"])
    rows = rows.append_column("i", pa.array(range(rows.num_rows), pa.int64()))
    usable = cache.exists() and pq.read_schema(cache).metadata.get(b"key") == fingerprint.encode()
    with duckdb.connect() as con:
        con.register("persons", rows)
        kept = (
            f"read_parquet('{cache}')"
            if usable
            else f"(select {', '.join(f'null::varchar as {c}' for c in ('keyed', *COLUMNS))} where false)"
        )
        con.execute(
            f"create table joined as select now.i, now.keyed, now.citizen_id, now.person_name, "
            f"kept.id_pseudonym, kept.identity_digest "
            f"from (select i, {keyed} as keyed, citizen_id, person_name from persons) as now "
            f"left join (select keyed, id_pseudonym, identity_digest from {kept}) as kept using (keyed)"
        )
        missing = con.execute(
            "select i, citizen_id, person_name from joined where id_pseudonym is null"
        ).to_arrow_table()
        if missing.num_rows:
            computed = compute(missing.column("citizen_id").to_pylist(), missing.column("person_name").to_pylist())
            fresh = pa.table(
                {
                    "i": missing.column("i"),
                    **{c: pa.array(v, pa.string()) for c, v in zip(COLUMNS, computed, strict=True)},
                }
            )
            con.register("fresh", fresh)
            con.execute(
                "update joined set id_pseudonym = fresh.id_pseudonym, identity_digest = fresh.identity_digest "
                "from fresh where joined.i = fresh.i"
            )
        out = con.execute("select keyed, id_pseudonym, identity_digest from joined order by i").to_arrow_table()
    write_parquet_atomically(out.replace_schema_metadata({"key": fingerprint}), cache)
    return out.column("id_pseudonym"), out.column("identity_digest")
