"""What both HTTP services (query, verification) do the same way: JSON errors that echo nothing, and a
cap on the body, whether it declares its length or streams it."""

from __future__ import annotations

from fastapi import HTTPException
from fastapi.responses import JSONResponse


def error_response(status: int, detail: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


class BodyLimit:
    """ASGI: refuse a body over `limit` bytes with 413, whether it declares its length or streams it."""

    def __init__(self, app, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            return await error_response(413, "the body is too large")(scope, receive, send)
        seen, started = 0, False

        async def limited_receive():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge
            return message

        async def tracking_send(message):
            nonlocal started
            started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await error_response(413, "the body is too large")(scope, receive, send)


class _TooLarge(HTTPException):
    """Raised while the body streams in; FastAPI passes an HTTPException through as it is."""

    def __init__(self) -> None:
        super().__init__(413, "the body is too large")
