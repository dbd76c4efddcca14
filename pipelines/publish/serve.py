"""Serve the static site with the standard library's HTTP server: nothing to install, read-only."""

from __future__ import annotations

import contextlib
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".json": "application/json",
        ".csv": "text/csv; charset=utf-8",
    }

    def log_message(self, format: str, *args) -> None:
        pass


def make_server(root: Path, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    return ThreadingHTTPServer((host, port), partial(_QuietHandler, directory=str(root)))


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    with make_server(root, host, port) as server, contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
