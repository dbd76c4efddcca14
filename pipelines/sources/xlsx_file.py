"""Excel workbooks: the catalogued sheet, its first non-empty row as header, merged cells filled,
Excel serial dates in date fields turned into ISO dates, formula cells quarantined."""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import date, datetime, time, timedelta

import openpyxl

from pipelines.lake.batch import StagedBatch
from pipelines.sources.base import Delivery, Extracted, FileDropSource, SourceError
from pipelines.sources.formula import looks_like_formula
from pipelines.sources.schema import check_header

EXCEL_EPOCH = date(1899, 12, 30)
DATE_ELEMENTS = {"date", "datetime"}
MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


def _text(value: object, is_date_field: bool) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if is_date_field and 1 <= value < 80_000:  # a serial date stored without a date format
            return (EXCEL_EPOCH + timedelta(days=int(value))).isoformat()
        return str(int(value)) if float(value).is_integer() else repr(value)
    text = str(value)
    return text if text.strip() else None


class XlsxFileSource(FileDropSource):
    def _merged(self, path, sheet_index: int) -> dict[tuple[int, int], tuple[int, int]]:
        """Cells covered by a merge -> its top-left cell (read from the sheet XML, streaming)."""
        cover: dict[tuple[int, int], tuple[int, int]] = {}
        with zipfile.ZipFile(path) as z:
            name = f"xl/worksheets/sheet{sheet_index + 1}.xml"
            if name not in z.namelist():
                return cover
            with z.open(name) as f:
                tail = b""
                while chunk := f.read(1 << 20):
                    data = tail + chunk
                    for m in MERGE.finditer(data):
                        c1, r1, c2, r2 = _col(m[1]), int(m[2]), _col(m[3]), int(m[4])
                        for r in range(r1, r2 + 1):
                            for c in range(c1, c2 + 1):
                                if (r, c) != (r1, c1):
                                    cover[(r, c)] = (r1, c1)
                    tail = data[-200:]
        return cover

    def extract(self, delivery: Delivery, batch: StagedBatch) -> Extracted:
        assert delivery.path is not None and delivery.content_hash is not None
        try:
            wb = openpyxl.load_workbook(delivery.path, read_only=True, data_only=False)
        except Exception as exc:
            shutil.copyfile(delivery.path, batch.quarantine_dir / "delivery.bin")
            batch.quarantine(0, "unreadable_xlsx", f"<whole file: {type(exc).__name__}>", delivery.ref)
            return Extracted(1, [], delivery.content_hash, rejected="unreadable_xlsx")
        try:
            names = wb.sheetnames
            sheet = self.spec.sheet or names[0]
            if sheet not in names:
                raise SourceError("sheet_not_found", f"{delivery.ref}: no sheet {sheet!r} (sheets: {', '.join(names)})")
            merged = self._merged(delivery.path, names.index(sheet))
            return self._rows(wb[sheet], merged, delivery, batch)
        finally:
            wb.close()

    def _rows(self, ws, merged, delivery: Delivery, batch: StagedBatch) -> Extracted:
        date_fields = {f.name for f in self.resource.fields if f.element in DATE_ELEMENTS}
        header: list[str] | None = None
        rows_in = 0
        top_left: dict[tuple[int, int], object] = {}
        wanted = set(merged.values())
        reject = None
        check = None
        skipped_above_header = 0
        first_row = ws.min_row or 1
        for r, cells in enumerate(ws.iter_rows(values_only=True), start=first_row):
            values = []
            for c, v in enumerate(cells, start=1):
                if v is None and (r, c) in merged:
                    v = top_left.get(merged[(r, c)])
                if (r, c) in wanted:
                    top_left[(r, c)] = v
                values.append(v)
            formula = any(isinstance(v, str) and looks_like_formula(v) for v in values)
            if header is None:
                # the header is the first row naming a catalogued column (clerks put titles above it)
                if not any(isinstance(v, str) and v.strip() in self.expected_columns for v in values):
                    if any(v is not None for v in values):
                        skipped_above_header += 1
                    continue
                header = [str(v).strip() if v is not None else f"column_{i + 1}" for i, v in enumerate(values)]
                while header and header[-1].startswith("column_"):
                    header.pop()
                check = check_header(header, self.expected_columns, self.required_columns)
                if check.duplicates:
                    raise SourceError(
                        "duplicate_column", f"{delivery.ref}: duplicate column(s) {', '.join(check.duplicates)}"
                    )
                if check.missing_required:
                    reject = f"missing_required_column:{','.join(check.missing_required)}"
                batch.set_columns(header)
                continue
            if all(v is None for v in values):
                continue
            rows_in += 1
            texts = [
                _text(v, header[i] in date_fields) if i < len(header) else _text(v, False) for i, v in enumerate(values)
            ]
            extra = [t for t in texts[len(header) :] if t is not None]
            raw = "\t".join("" if t is None else t for t in texts)
            if reject:
                batch.quarantine(r, reject, raw, delivery.ref)
            elif formula:
                batch.quarantine(r, "formula_injection", raw, delivery.ref)
            elif extra:
                batch.quarantine(r, "field_count_mismatch", raw, delivery.ref)
            else:
                batch.add_row((texts + [None] * len(header))[: len(header)], delivery.ref)
        if header is None:
            reason = "header_not_found" if skipped_above_header else "empty_file"
            return Extracted(0, [], delivery.content_hash, rejected=reason)
        return Extracted(rows_in, header, delivery.content_hash, rejected=reject, header_check=check)
