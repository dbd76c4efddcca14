"""A few broken deliveries, as departments really send them: resends that are truncated, corrupt
or mixed in encoding. Each is a copy of records delivered correctly elsewhere, so the truth stays
complete, and each is listed in `truth/deliveries.csv` with what is wrong with it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipelines.synth.sinks import delivered_on
from pipelines.synth.truth import Truth


def _first(folder: Path, pattern: str) -> Path | None:
    files = sorted(folder.glob(pattern))
    return files[0] if files else None


def _head(path: Path, size: int = 65_536) -> bytes:
    """The first bytes of a delivery: enough for a resend, without reading a large file whole."""
    with path.open("rb") as f:
        return f.read(size)


def _resent(target: Path, original: Path) -> None:
    """The resend arrived the day after the delivery it copies."""
    delivered_on(target, datetime.fromtimestamp(original.stat().st_mtime, UTC).date() + timedelta(days=1))


def write_malformed_files(out: Path, truth: Truth) -> None:
    births = _first(out / "health" / "births", "births_*.csv")
    if births:
        data = _head(births)
        lines = data.split(b"\r\n")
        cut = b"\r\n".join(lines[: min(len(lines) - 1, 21)])
        target = births.with_name(births.stem + "_resend.csv")
        target.write_bytes(cut[: len(cut) - 7] if len(cut) > 40 else cut)  # ends mid-record
        _resent(target, births)
        truth.write(
            "deliveries", "health", "birth_records", births.stem.split("_")[1], target.name, "malformed:truncated"
        )

    marriages = _first(out / "civil_affairs" / "marriages", "marriages_*.xlsx")
    if marriages:
        target = marriages.with_name(marriages.stem + "_broken.xlsx")
        target.write_bytes(_head(marriages, 4096))
        _resent(target, marriages)
        truth.write(
            "deliveries",
            "civil_affairs",
            "marriage_registrations",
            marriages.stem.split("_")[1],
            target.name,
            "malformed:corrupt_zip",
        )

    taxpayers = _first(out / "tax" / "taxpayers", "taxpayers_*.csv")
    if taxpayers:
        text = _head(taxpayers).decode("utf-8-sig", errors="ignore").split("\r\n")[:11]
        head = "\r\n".join(text[:6]).encode("utf-8-sig")
        tail = "\r\n".join(text[6:]).encode("gbk", errors="replace")
        target = taxpayers.with_name(taxpayers.stem + "_mixed.csv")
        target.write_bytes(head + b"\r\n" + tail + b"\r\n")
        _resent(target, taxpayers)
        truth.write(
            "deliveries",
            "tax",
            "taxpayer_registrations",
            taxpayers.stem.split("_")[1],
            target.name,
            "malformed:mixed_encoding",
        )
