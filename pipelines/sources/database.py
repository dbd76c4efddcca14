"""Department databases through SQLAlchemy (SQLite, PostgreSQL, MariaDB/MySQL).

A table with an updated-at column is read incrementally: the rows updated after the ledger's watermark,
as an `increment`; every `full_snapshot_every` runs it is read whole, as a `snapshot`, so records deleted
at the source end here too (and rows whose updated-at was never set, or was set back, are caught). A
table without one is read whole every run.

The URL comes from the environment variable the catalogue names (never from the catalogue); when it
is unset the demo's SQLite file under the sources dir is used. Errors never print the URL, which may
hold a password.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from pipelines.catalog.models import DatabaseSource, Semantics
from pipelines.lake.batch import StagedBatch
from pipelines.sources.base import Delivery, Extracted, Previous, Source, SourceError, SourceUnavailable
from pipelines.sources.schema import check_header

FETCH = 10_000


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):  # 10.00 (MariaDB, PostgreSQL) and 10 (SQLite) land alike
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


class DatabaseTableSource(Source):
    @property
    def spec(self) -> DatabaseSource:
        assert isinstance(self.resource.source, DatabaseSource)
        return self.resource.source

    def url(self) -> str:
        url = os.environ.get(self.spec.url_env)
        if url:
            return url
        if self.spec.sqlite_fallback:
            path = self.sources_dir / self.spec.sqlite_fallback
            if not path.is_file():
                raise SourceUnavailable("source_missing", f"{self.spec.url_env} is unset and {path} does not exist")
            return f"sqlite:///file:{path}?mode=ro&uri=true"
        raise SourceError("not_configured", f"{self.spec.url_env} is not set")

    reads_current_state = True

    def deliveries(self, previous: Previous) -> Iterator[Delivery]:
        every = self.resource.delivery.full_snapshot_every
        whole = (
            self.spec.updated_at_column is None
            or previous.watermark is None
            or previous.loads_since_snapshot is None
            or (every is not None and previous.loads_since_snapshot + 1 >= every)
        )
        if whole:
            yield Delivery(ref=f"table {self.spec.table}", semantics=Semantics.SNAPSHOT)
        else:
            yield Delivery(
                ref=f"table {self.spec.table} updated after {previous.watermark}",
                semantics=Semantics.INCREMENT,
                since=previous.watermark,
            )

    def extract(self, delivery: Delivery, batch: StagedBatch) -> Extracted:
        url = self.url()
        engine = sa.create_engine(url)
        digest = hashlib.sha256()
        rows_in = 0
        watermark = delivery.since
        try:
            with engine.connect() as conn:
                table = sa.Table(self.spec.table, sa.MetaData(), autoload_with=conn)
                header = [c.name for c in table.columns]
                check = check_header(header, self.expected_columns, self.required_columns)
                reject = None
                if check.missing_required:
                    reject = f"missing_required_column:{','.join(check.missing_required)}"
                batch.set_columns(header)
                key = self.resource.key_field.name
                order = table.c[key] if key in table.c else next(iter(table.c))
                query = sa.select(table).order_by(order)
                mark_at = header.index(self.spec.updated_at_column) if self.spec.updated_at_column in header else None
                if delivery.since is not None:
                    if mark_at is None:
                        raise SourceError("watermark_column_missing", "the table lost its updated-at column")
                    column = table.c[self.spec.updated_at_column]
                    query = query.where(column > _typed_like(column, delivery.since))
                result = conn.execution_options(stream_results=True, yield_per=FETCH).execute(query)
                for row in result:
                    values = [_text(v) for v in row]
                    if mark_at is not None and values[mark_at] is not None:
                        watermark = values[mark_at] if watermark is None else max(watermark, values[mark_at])
                    digest.update("\x1f".join("\x00" if v is None else v for v in values).encode("utf-8"))
                    digest.update(b"\x1e")
                    rows_in += 1
                    if reject:
                        batch.quarantine(rows_in, reject, "\t".join(v or "" for v in values), delivery.ref)
                    else:
                        batch.add_row(values, delivery.ref)
        except SourceError:
            raise
        except sa.exc.NoSuchTableError:
            raise SourceError("table_missing", f"table {self.spec.table} does not exist in the source") from None
        except sa.exc.OperationalError as exc:
            why = "connection refused" if "refused" in str(exc).lower() else type(exc.orig).__name__
            raise SourceUnavailable(
                "connection_failed",
                f"cannot read {self.department}/{self.resource.slug} through {self.spec.url_env}: {why}",
            ) from None
        finally:
            engine.dispose()
        return Extracted(rows_in, header, digest.hexdigest(), rejected=reject, header_check=check, watermark=watermark)


def _typed_like(column: sa.Column, text: str) -> object:
    """The watermark as the column's own type: PostgreSQL compares a timestamp column with a timestamp."""
    if isinstance(column.type, sa.DateTime):
        return datetime.fromisoformat(text)
    if isinstance(column.type, sa.Date):
        return date.fromisoformat(text)
    return text
