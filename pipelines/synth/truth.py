"""The ground truth of the synthetic city, streamed to `truth/` as the sources are written.

`records.csv` names the true person or entity behind every source record; `defects.csv` lists every
injected defect; `persons.csv`, `entities.csv` and `licences.csv` hold the true values.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import ClassVar


class Truth:
    TABLES: ClassVar[dict[str, list[str]]] = {
        "records": ["department", "resource", "record_key", "role", "kind", "true_id"],
        "defects": ["department", "resource", "record_key", "field", "defect"],
        "persons": [
            "person_id",
            "citizen_id",
            "name",
            "sex",
            "birth_date",
            "ethnicity",
            "county",
            "address",
            "phone",
            "marital_status",
            "household",
            "relation",
            "death_date",
            "in_city",
        ],
        "entities": [
            "entity_id",
            "uscc",
            "name",
            "kind",
            "org_type",
            "status",
            "division",
            "industry",
            "legal_rep_person_id",
            "established_on",
        ],
        "licences": ["licence_id", "licence_number", "holder_entity_id", "issued_on", "expires_on", "status"],
        "deliveries": ["department", "resource", "period", "file", "status"],
    }

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self._files = {name: (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") for name in self.TABLES}
        self._writers = {name: csv.writer(f, lineterminator="\n") for name, f in self._files.items()}
        for name, header in self.TABLES.items():
            self._writers[name].writerow(header)
        self.records_per_resource: Counter[str] = Counter()

    def write(self, table: str, *values: object) -> None:
        self._writers[table].writerow(["" if v is None else v for v in values])

    def record(self, dept: str, resource: str, key: str, role: str, kind: str, true_id: str) -> None:
        self.write("records", dept, resource, key, role, kind, true_id)

    def close(self) -> None:
        for f in self._files.values():
            f.close()
