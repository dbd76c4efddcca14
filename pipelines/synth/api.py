"""The human-resources department's JSON API, served from the pages the generator saved.

`GET /api/v1/enrolments?period=YYYY-MM&page=N` returns one page with `total` and `total_pages`;
`GET /api/v1/enrolments?updated_since=YYYY-MM-DD HH:MM:SS&page=N` the records of every period whose
`aae036` (经办时间) is later, in pages of the same size; `GET /api/v1/periods` lists the periods on offer. With a token set, requests must carry
`Authorization: Bearer <token>`. Standard library only: it must start anywhere the demo runs.
"""

from __future__ import annotations

import json
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

PERIOD = re.compile(r"^\d{4}-\d{2}$")


def _handler(folder: Path, token: str | None) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "govlake-hrss/1.0"

        def log_message(self, format: str, *args: object) -> None:  # quiet: requests carry personal data
            return

        def _send(self, status: int, body: dict | list) -> None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if token and self.headers.get("Authorization") != f"Bearer {token}":
                return self._send(HTTPStatus.UNAUTHORIZED, {"error": "missing or wrong bearer token"})
            url = urlparse(self.path)
            query = parse_qs(url.query)
            if url.path == "/api/v1/periods":
                return self._send(HTTPStatus.OK, sorted(p.name for p in folder.iterdir() if PERIOD.match(p.name)))
            if url.path != "/api/v1/enrolments":
                return self._send(HTTPStatus.NOT_FOUND, {"error": f"no such endpoint {url.path}"})
            period = query.get("period", [""])[0]
            try:
                page = int(query.get("page", ["1"])[0])
            except ValueError:
                return self._send(HTTPStatus.BAD_REQUEST, {"error": "page must be an integer"})
            if "updated_since" in query:
                return self._send(HTTPStatus.OK, _updated_since(folder, query["updated_since"][0], page))
            if not PERIOD.match(period) or page < 1:
                return self._send(HTTPStatus.BAD_REQUEST, {"error": "period=YYYY-MM and page>=1 are required"})
            index_path = folder / period / "index.json"
            if not index_path.is_file():
                return self._send(HTTPStatus.NOT_FOUND, {"error": f"no delivery for period {period}"})
            index = json.loads(index_path.read_text(encoding="utf-8"))
            page_path = folder / period / f"page-{page:05d}.json"
            if page > index["total_pages"] or not page_path.is_file():
                body = {"page": page, "page_size": index["page_size"], "data": []}
            else:
                body = json.loads(page_path.read_text(encoding="utf-8"))
            body.update(period=period, total=index["total"], total_pages=index["total_pages"])
            return self._send(HTTPStatus.OK, body)

    return Handler


def _updated_since(folder: Path, since: str, page: int) -> dict:
    """One page of the records of every period updated after `since` (compared as text: one layout)."""
    records = []
    for index in sorted(folder.glob("*/index.json")):
        for path in sorted(index.parent.glob("page-*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8")).get("data", [])
            except ValueError:
                continue
            records += [r for r in data if isinstance(r, dict) and str(r.get("aae036") or "") > since]
    size = 500
    total_pages = max(1, -(-len(records) // size))
    chunk = records[(page - 1) * size : page * size]
    return {"page": page, "page_size": size, "data": chunk, "total": len(records), "total_pages": total_pages}


def start_api_server(
    folder: Path, host: str = "127.0.0.1", port: int = 0, token: str | None = None
) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """Serve `folder` (…/hr_social_security/enrolments) in a daemon thread; port 0 picks a free one."""
    server = ThreadingHTTPServer((host, port), _handler(folder, token))
    thread = threading.Thread(target=server.serve_forever, name="hrss-api", daemon=True)
    thread.start()
    return server, thread
