"""Ingest one catalogued resource: every new delivery becomes one audited, atomically published batch.

Idempotent: a delivery whose content hash is already in the ledger adds nothing. Crash-safe: a
per-resource lock serialises runs, and `recover()` rolls forward or cleans up whatever a killed run
left. A failing delivery is recorded and the run goes on with the next one.
"""

from __future__ import annotations

import fcntl
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from pipelines.catalog import Catalog, load_catalog
from pipelines.lake.batch import StagedBatch, publish, recover
from pipelines.lake.layout import LakeLayout
from pipelines.lake.ledger import Ledger, LoadRecord
from pipelines.settings import Settings, get_settings
from pipelines.sources.base import Previous, Source, SourceError
from pipelines.sources.registry import source_for


@dataclass(frozen=True)
class LoadResult:
    department: str
    resource: str
    delivery: str
    status: str  # published | rejected | skipped | failed
    load_id: str | None = None
    rows_in: int = 0
    rows_landed: int = 0
    rows_quarantined: int = 0
    message: str = ""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_load_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:6]}"


@contextmanager
def resource_lock(layout: LakeLayout, department: str, resource: str) -> Iterator[None]:
    folder = layout.root / "_locks"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{department}__{resource}.lock").open("w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def ingest_resource(
    department: str,
    resource: str,
    settings: Settings | None = None,
    catalog: Catalog | None = None,
    on_delivery: Callable[[str], None] | None = None,
    delivered_by: datetime | None = None,
) -> list[LoadResult]:
    """Land the resource's new deliveries. `delivered_by` (an Airflow run's data interval end): a file dropped
    after it belongs to a later interval and is left for that run, so a backfill over past dates lands each
    interval's files in its own run. A database or an API is read as it is now (it keeps no past state), and
    the read is stamped as delivered at the end of the run's interval when that is past: the moment the
    run stands for, so a backfilled month's read counts in that month's timeliness and history."""
    settings = settings or get_settings()
    res = (catalog or load_catalog()).resource(department, resource)
    layout = LakeLayout(settings.lake_root)
    ledger = Ledger(layout.ledger_path)
    source = source_for(department, res, settings.sources_dir)
    results: list[LoadResult] = []
    with resource_lock(layout, department, resource):
        recover(layout, ledger, department, resource)
        try:
            deliveries = list(source.deliveries(Previous(*ledger.watermark(department, resource))))
        except SourceError as exc:
            return [LoadResult(department, resource, "(listing)", "failed", message=f"{exc.reason}: {exc}")]
        for delivery in deliveries:
            if _after(delivery, delivered_by):
                later = f"delivered at {delivery.delivered_at}, after this run's interval ended ({delivered_by:%Y-%m-%d %H:%M:%S}): a later run lands it"
                results.append(LoadResult(department, resource, delivery.ref, "skipped", message=later))
                continue
            if on_delivery:
                on_delivery(delivery.ref)
            if delivery.content_hash and _seen(ledger, source, department, resource, delivery.content_hash):
                results.append(LoadResult(department, resource, delivery.ref, "skipped", message="already loaded"))
                continue
            results.append(_load(layout, ledger, source, delivery, department, resource, _read_at(delivered_by)))
    return results


def _after(delivery, delivered_by: datetime | None) -> bool:
    """Whether a delivery whose time is known up front (a file's) came after `delivered_by`."""
    if delivered_by is None or delivery.delivered_at is None:
        return False
    return datetime.fromisoformat(delivery.delivered_at) > delivered_by


def _read_at(delivered_by: datetime | None) -> str:
    """When a source read now is delivered: now, or the end of a past data interval the run stands for."""
    if delivered_by is None or delivered_by >= datetime.now(UTC):
        return _now()
    return delivered_by.astimezone(UTC).isoformat(timespec="milliseconds")


def _seen(ledger: Ledger, source: Source, department: str, resource: str, content_hash: str) -> bool:
    """Whether this content adds nothing: the latest state read again, or a delivery already loaded."""
    if source.reads_current_state:
        return ledger.latest_hash(department, resource) == content_hash
    return ledger.already_loaded(department, resource, content_hash) is not None


def _load(layout, ledger, source, delivery, department: str, resource: str, read_at: str) -> LoadResult:
    load_id = new_load_id()
    started = time.perf_counter()
    kind = source.resource.source.kind
    semantics = (delivery.semantics or source.resource.delivery.semantics).value
    record = LoadRecord(
        load_id,
        department,
        resource,
        kind,
        delivery.ref,
        delivery.content_hash or "",
        _now(),
        status="running",
        semantics=semantics,
        delivered_at=delivery.delivered_at or read_at,
    )
    ledger.upsert(record)
    batch = StagedBatch(layout, department, resource, load_id, semantics, record.delivered_at)

    def fail(message: str) -> LoadResult:
        batch.discard()
        ledger.set_status(
            load_id, "failed", error=message, finished_at=_now(), seconds=round(time.perf_counter() - started, 3)
        )
        return LoadResult(department, resource, delivery.ref, "failed", load_id, message=message)

    try:
        extracted = source.extract(delivery, batch)
        batch.close()
    except SourceError as exc:
        return fail(f"{exc.reason}: {exc}")
    except Exception as exc:
        return fail(f"unexpected {type(exc).__name__} while reading the delivery")
    nothing_new = delivery.since is not None and extracted.rows_in == 0
    if nothing_new or _seen(ledger, source, department, resource, extracted.content_hash):
        batch.discard()
        why = "nothing updated since the watermark" if nothing_new else "same content already loaded"
        # a skipped read still counts as a run (and a whole read restarts the count to the next one)
        ledger.set_status(
            load_id,
            "skipped",
            content_hash=extracted.content_hash,
            watermark=extracted.watermark,
            error=why,
            finished_at=_now(),
        )
        return LoadResult(department, resource, delivery.ref, "skipped", load_id, message=why)
    if extracted.rejected:
        shutil.rmtree(batch.raw_dir, ignore_errors=True)
        batch.rows_landed = 0
    landed, quarantined = batch.rows_landed, batch.rows_quarantined
    if extracted.rows_in != landed + quarantined:
        return fail(f"audit failed: rows in {extracted.rows_in} != landed {landed} + quarantined {quarantined}")
    check = extracted.header_check
    record.status = "staged"
    record.content_hash = extracted.content_hash
    record.rows_in, record.rows_landed, record.rows_quarantined = extracted.rows_in, landed, quarantined
    record.schema_fingerprint = check.fingerprint if check else None
    record.new_columns = ",".join(check.new) if check and check.new else None
    record.missing_columns = ",".join(check.missing) if check and check.missing else None
    record.error = extracted.rejected
    record.watermark = extracted.watermark  # published with the batch: in the same row as `staged`
    ledger.upsert(record)
    raw = publish(layout, department, resource, load_id)
    status = "published" if raw else "rejected"
    ledger.set_status(load_id, status, finished_at=_now(), seconds=round(time.perf_counter() - started, 3))
    message = extracted.rejected or ""
    if check and check.new:
        message = (message + "; " if message else "") + f"new columns kept: {', '.join(check.new)}"
    return LoadResult(
        department, resource, delivery.ref, status, load_id, extracted.rows_in, landed, quarantined, message
    )


def ingest(
    department: str | None = None,
    resource: str | None = None,
    settings: Settings | None = None,
    on_delivery: Callable[[str, str, str], None] | None = None,
) -> list[LoadResult]:
    """Every catalogued resource (optionally one department or one resource); one failing does not stop the others."""
    catalog = load_catalog()
    results: list[LoadResult] = []
    for dept, res in catalog.resources():
        if (department and dept.code != department) or (resource and res.slug != resource):
            continue
        callback = (lambda ref, d=dept.code, r=res.slug: on_delivery(d, r, ref)) if on_delivery else None
        results.extend(ingest_resource(dept.code, res.slug, settings, catalog, callback))
    return results
