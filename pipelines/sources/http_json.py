"""Paginated JSON APIs: one delivery per period the API offers, pages fetched with timeouts and
retries with exponential backoff. When the API's base URL is unset, the saved pages on disk are read
instead (the same JSON, so the same code path)."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from pipelines.catalog.models import HttpSource, Semantics
from pipelines.lake.batch import StagedBatch
from pipelines.sources.base import Delivery, Extracted, Previous, Source, SourceError, SourceUnavailable
from pipelines.sources.formula import looks_like_formula
from pipelines.sources.schema import check_header

RETRIES = 4
BACKOFF_SECONDS = 0.5


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _saved_pages(folder: Path) -> Iterator[tuple[int, bytes]]:
    """(page number, raw body) of every page saved in `folder`, in the order the content digest takes them."""
    for path in sorted(folder.glob("page-*.json")):
        yield int(path.stem.split("-")[1]), path.read_bytes()


class HttpJsonSource(Source):
    @property
    def spec(self) -> HttpSource:
        assert isinstance(self.resource.source, HttpSource)
        return self.resource.source

    @property
    def base_url(self) -> str | None:
        return os.environ.get(self.spec.base_url_env) or None

    def _client(self) -> httpx.Client:
        headers = {"Accept": "application/json"}
        token = os.environ.get(self.spec.token_env) if self.spec.token_env else None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.Client(base_url=self.base_url or "", headers=headers, timeout=self.spec.timeout_seconds)

    def _get(self, client: httpx.Client, path: str, params: dict | None = None) -> httpx.Response:
        """GET with retries on timeouts, connection errors and 5xx; 4xx fails at once."""
        last = ""
        for attempt in range(RETRIES):
            try:
                response = client.get(path, params=params)
            except httpx.TimeoutException:
                last = f"timed out after {self.spec.timeout_seconds:g} s"
            except httpx.TransportError as exc:
                last = f"connection failed ({type(exc).__name__})"
            else:
                if response.status_code < 500:
                    if response.status_code >= 400:
                        raise SourceError("http_error", f"GET {path} answered HTTP {response.status_code}")
                    return response
                last = f"HTTP {response.status_code}"
            time.sleep(BACKOFF_SECONDS * 2**attempt)
        raise SourceUnavailable("http_unavailable", f"GET {path} failed {RETRIES} times: {last}")

    def deliveries(self, previous: Previous) -> Iterator[Delivery]:
        if self.base_url is not None and self.spec.updated_since_param and previous.watermark is not None:
            # read by watermark: what changed since the last load, across every period
            yield Delivery(
                ref=f"updated since {previous.watermark}", semantics=Semantics.INCREMENT, since=previous.watermark
            )
            return
        if self.base_url is None:
            periods = sorted({p.parent.name for p in self.sources_dir.glob(self.spec.files_fallback or "")})
            for period in periods:
                pages = self._page_dir(period)
                # the pages' digest up front, as a file's: a period already loaded is not parsed again every day
                digest = hashlib.sha256()
                for _, body in _saved_pages(pages):
                    digest.update(body)
                yield Delivery(ref=f"period {period}", path=pages, content_hash=digest.hexdigest())
            return
        with self._client() as client:
            periods = self._json(self._get(client, self.spec.endpoint.rsplit("/", 1)[0] + "/periods"), "periods")
        for period in periods:
            yield Delivery(ref=f"period {period}")

    def _page_dir(self, period: str) -> Path:
        pattern = self.spec.files_fallback or ""
        return next(p.parent for p in self.sources_dir.glob(pattern) if p.parent.name == period)

    @staticmethod
    def _json(response: httpx.Response, what: str) -> object:
        try:
            return response.json()
        except ValueError:
            raise SourceError("malformed_json", f"{what}: the API answered with malformed JSON") from None

    def _pages(self, delivery: Delivery) -> Iterator[tuple[int, bytes]]:
        """(page number, raw body) of every page of one period."""
        period = delivery.ref.removeprefix("period ")
        if delivery.path is not None:
            yield from _saved_pages(delivery.path)
            return
        where = {"period": period} if delivery.since is None else {self.spec.updated_since_param: delivery.since}
        with self._client() as client:
            page, pages = 1, None
            while pages is None or page <= pages:
                response = self._get(
                    client, self.spec.endpoint, {**where, "page": page, "page_size": self.spec.page_size}
                )
                body = response.content
                if pages is None:
                    try:
                        pages = int(json.loads(body)["total_pages"])
                    except (ValueError, KeyError, TypeError):
                        pages = page  # a malformed first page: quarantine it, nothing tells how many follow
                yield page, body
                page += 1

    def extract(self, delivery: Delivery, batch: StagedBatch) -> Extracted:
        digest = hashlib.sha256()
        header: list[str] | None = None
        check = None
        reject = None
        rows_in = 0
        mark, watermark = self.spec.updated_at_column, delivery.since
        for page, body in self._pages(delivery):
            digest.update(body)
            try:
                records = json.loads(body)["data"]
                if not isinstance(records, list):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                rows_in += 1
                batch.quarantine(
                    page, "malformed_json_page", body.decode("utf-8", errors="replace"), f"{delivery.ref} page {page}"
                )
                continue
            for i, record in enumerate(records, start=1):
                rows_in += 1
                ref = f"{delivery.ref} page {page}"
                if not isinstance(record, dict):
                    batch.quarantine(i, "not_an_object", json.dumps(record, ensure_ascii=False), ref)
                    continue
                if header is None:
                    header = [*dict.fromkeys([*self.expected_columns, *record]), "_extra"]
                    check = check_header([k for k in record], self.expected_columns, self.required_columns)
                    if check.missing_required:
                        reject = f"missing_required_column:{','.join(check.missing_required)}"
                    batch.set_columns(header)
                values = [_text(record.get(c)) for c in header[:-1]]
                extra = {k: v for k, v in record.items() if k not in header}
                values.append(json.dumps(extra, ensure_ascii=False) if extra else None)
                if reject:
                    batch.quarantine(i, reject, json.dumps(record, ensure_ascii=False), ref)
                elif any(looks_like_formula(v) for v in values):
                    batch.quarantine(i, "formula_injection", json.dumps(record, ensure_ascii=False), ref)
                else:
                    batch.add_row(values, ref)
                updated = _text(record.get(mark)) if mark else None
                if updated is not None and (watermark is None or updated > watermark):
                    watermark = updated
        return Extracted(
            rows_in, header or [], digest.hexdigest(), rejected=reject, header_check=check, watermark=watermark
        )
