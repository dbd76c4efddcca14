"""Writers of the departments' own formats, each streaming rows as they come.

Every sink writes deterministic bytes for the same rows (fixed timestamps in xlsx, stable JSON), so
the same seed gives byte-identical sources.
"""

from __future__ import annotations

import calendar
import csv
import json
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

BATCH = 5_000
FIXED_TIME = datetime(2026, 1, 1)


def delivered_on(path: Path, on: date) -> None:
    """The department delivered the file on `on`: its modification time, noon UTC, is what the ingest
    reads as the delivery's time (never later than now: a file cannot arrive in the future)."""
    moment = min(datetime(on.year, on.month, on.day, 12, tzinfo=UTC), datetime.now(UTC)).timestamp()
    os.utime(path, (moment, moment))


def period_end(period: str) -> date:
    """The last day of a `YYYY-MM` period: a generated city's monthly file is delivered on it."""
    year, month = map(int, period.split("-"))
    return date(year, month, calendar.monthrange(year, month)[1])


class PeriodRouter:
    """Maps a record's period to the delivery that carries it (missing deliveries roll forward)."""

    def __init__(self, periods: list[str], missing: set[str]):
        self.delivered = [p for p in periods if p not in missing]
        if not self.delivered:
            raise ValueError("a resource must be delivered at least once")
        self._map = {}
        for p in periods:
            later = [d for d in self.delivered if d >= p]
            self._map[p] = later[0] if later else self.delivered[-1]

    def route(self, period: str) -> str:
        return self._map.get(period, self.delivered[0])


class SqlTableSink:
    """A table in a department database (SQLite file by default, PostgreSQL/MariaDB by URL)."""

    def __init__(self, engine: sa.Engine, table: str, columns: list[tuple[str, sa.types.TypeEngine]], key: str):
        self.engine = engine
        meta = sa.MetaData()
        cols = [sa.Column(name, typ, primary_key=(name == key)) for name, typ in columns]
        self.table = sa.Table(table, meta, *cols)
        with engine.begin() as conn:
            self.table.drop(conn, checkfirst=True)
            self.table.create(conn)
        # plain DB-API executemany: the generator's hot path, ~3x faster than Core inserts of dicts
        marker = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        quote = engine.dialect.identifier_preparer.quote
        self.names = [name for name, _ in columns]
        self.sql = (
            f"INSERT INTO {quote(table)} ({', '.join(quote(n) for n in self.names)}) "
            f"VALUES ({', '.join([marker] * len(self.names))})"
        )
        self.buffer: list[tuple[Any, ...]] = []
        self.rows = 0

    def write(self, period: str, row: dict[str, Any]) -> None:
        self.buffer.append(tuple(row.get(n) for n in self.names))
        if len(self.buffer) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.buffer:
            with self.engine.begin() as conn:
                conn.exec_driver_sql(self.sql, self.buffer)
            self.rows += len(self.buffer)
            self.buffer = []

    def close(self) -> list[Path]:
        self._flush()
        return []


class CsvSink:
    """One CSV file per delivered period, in the department's encoding."""

    def __init__(self, folder: Path, stem: str, columns: list[str], encoding: str, router: PeriodRouter):
        folder.mkdir(parents=True, exist_ok=True)
        self.router, self.files, self.writers = router, {}, {}
        for period in router.delivered:
            path = folder / f"{stem}_{period}.csv"
            f = path.open("w", encoding=encoding, newline="", errors="strict")
            self.files[period] = (path, f)
            w = csv.writer(f, lineterminator="\r\n")
            w.writerow(columns)
            self.writers[period] = w
        self.columns = columns

    def write(self, period: str, row: dict[str, Any]) -> None:
        self.writers[self.router.route(period)].writerow(["" if row.get(c) is None else row[c] for c in self.columns])

    def close(self) -> list[Path]:
        for period, (path, f) in self.files.items():
            f.close()
            delivered_on(path, period_end(period))
        return [p for p, _ in self.files.values()]


class XlsxSink:
    """One workbook per delivered period; dates stored as Excel serial numbers, as clerks' sheets do."""

    def __init__(self, folder: Path, stem: str, sheet: str, columns: list[str], router: PeriodRouter):
        import xlsxwriter

        folder.mkdir(parents=True, exist_ok=True)
        self.router, self.columns, self.books, self.rows = router, columns, {}, {}
        for period in router.delivered:
            path = folder / f"{stem}_{period}.xlsx"
            book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
            book.set_properties({"created": FIXED_TIME, "author": "govlake synthetic city"})
            ws = book.add_worksheet(sheet)
            date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
            for j, c in enumerate(columns):
                ws.write_string(0, j, c)
            self.books[period] = (path, book, ws, date_fmt)
            self.rows[period] = 0

    def write(self, period: str, row: dict[str, Any]) -> None:
        period = self.router.route(period)
        _, _, ws, date_fmt = self.books[period]
        self.rows[period] += 1
        r = self.rows[period]
        for j, c in enumerate(self.columns):
            v = row.get(c)
            if v is None:
                continue
            if isinstance(v, date):
                ws.write_datetime(r, j, datetime(v.year, v.month, v.day), date_fmt)
            elif isinstance(v, (int, float)):
                ws.write_number(r, j, v)
            else:
                ws.write_string(r, j, str(v))

    def close(self) -> list[Path]:
        for period, (path, book, _, _) in self.books.items():
            book.close()
            delivered_on(path, period_end(period))
        return [p for p, *_ in self.books.values()]


class JsonPagesSink:
    """Pages of a JSON API saved to disk (`<period>/page-00001.json`), served by `pipelines.synth.api`."""

    def __init__(self, folder: Path, page_size: int, router: PeriodRouter):
        self.folder, self.page_size, self.router = folder, page_size, router
        self.pages: dict[str, list[dict[str, Any]]] = {p: [] for p in router.delivered}
        self.counts = dict.fromkeys(router.delivered, 0)
        self.numbers = dict.fromkeys(router.delivered, 0)
        for p in router.delivered:
            (folder / p).mkdir(parents=True, exist_ok=True)

    def write(self, period: str, row: dict[str, Any]) -> None:
        period = self.router.route(period)
        page = self.pages[period]
        page.append(row)
        if len(page) >= self.page_size:
            self._flush(period)

    def _flush(self, period: str) -> None:
        page = self.pages[period]
        if not page:
            return
        self.numbers[period] += 1
        self.counts[period] += len(page)
        n = self.numbers[period]
        doc = {"page": n, "page_size": self.page_size, "data": page}
        (self.folder / period / f"page-{n:05d}.json").write_text(
            json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
        self.pages[period] = []

    def close(self) -> list[Path]:
        out = []
        for period in self.router.delivered:
            self._flush(period)
            index = {
                "period": period,
                "total": self.counts[period],
                "total_pages": self.numbers[period],
                "page_size": self.page_size,
            }
            path = self.folder / period / "index.json"
            path.write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
            out.append(path)
        return out
