"""The corpus of bad deliveries: each yields a clear error or quarantine rows with a reason, never a
crash and never a lost or duplicated row (rows in = landed + quarantined, checked against the files)."""

from __future__ import annotations

import json
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa

from pipelines.sources import http_json
from tests.ingest.harness import Harness

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bad_deliveries"
NO_Q: dict[str, int] = {}

# file -> (status, rows landed, {quarantine reason prefix: count}); status "rejected" = whole delivery quarantined
CSV_CASES = {
    "utf8.csv": ("published", 3, NO_Q),
    "utf8_bom.csv": ("published", 3, NO_Q),
    "gbk.csv": ("published", 3, NO_Q),
    "gb18030_four_byte.csv": ("published", 4, NO_Q),
    "crlf.csv": ("published", 3, NO_Q),
    "blank_lines.csv": ("published", 3, NO_Q),
    "header_only.csv": ("published", 0, NO_Q),
    "header_only_bom.csv": ("published", 0, NO_Q),
    "empty.csv": ("rejected", 0, NO_Q),
    "whitespace_only.csv": ("rejected", 0, NO_Q),
    "mixed_utf8_gbk.csv": ("rejected", 0, {"mixed_encoding": 3}),
    "bom_then_gbk.csv": ("rejected", 0, {"invalid_utf8_after_bom": 3}),
    "truncated_mid_character.csv": ("rejected", 0, {"undecodable": 3}),
    "truncated_mid_record.csv": ("published", 3, {"field_count_mismatch": 1}),
    "wrong_delimiter_semicolon.csv": ("rejected", 0, {"wrong_delimiter": 3}),
    "wrong_delimiter_tab.csv": ("rejected", 0, {"wrong_delimiter": 3}),
    "wrong_delimiter_pipe.csv": ("rejected", 0, {"wrong_delimiter": 3}),
    "unbalanced_quotes.csv": ("published", 1, {"unbalanced_quotes": 1}),
    "quote_inside_field.csv": ("published", 2, NO_Q),  # a lone quote inside an unquoted field is literal
    "quoted_newline.csv": ("published", 2, NO_Q),
    "quoted_delimiter.csv": ("published", 2, NO_Q),
    "extra_field_in_row.csv": ("published", 3, {"field_count_mismatch": 1}),
    "missing_field_in_row.csv": ("published", 3, {"field_count_mismatch": 1}),
    "trailing_delimiter.csv": ("published", 4, NO_Q),  # one trailing delimiter is tolerated, as DuckDB does
    "two_trailing_delimiters.csv": ("published", 3, {"field_count_mismatch": 1}),
    "extra_column_in_header.csv": ("published", 3, NO_Q),
    "missing_optional_column.csv": ("published", 3, NO_Q),
    "missing_required_column.csv": ("rejected", 0, {"missing_required_column:姓名": 3}),
    "duplicate_header.csv": ("rejected", 0, {"duplicate_column:姓名": 3}),
    "columns_reordered.csv": ("published", 3, NO_Q),
    "formula_equals.csv": ("published", 3, {"formula_injection": 1}),
    "formula_plus.csv": ("published", 3, {"formula_injection": 1}),
    "formula_at.csv": ("published", 3, {"formula_injection": 1}),
    "formula_minus.csv": ("published", 3, {"formula_injection": 1}),
    "negative_numbers_are_fine.csv": ("published", 5, NO_Q),
    "binary_garbage.csv": ("rejected", 0, {"binary_content": 1}),
    "binary_without_nul.csv": ("rejected", 0, {"undecodable": 1}),
    "nul_in_text.csv": ("rejected", 0, {"binary_content": 1}),
    "utf16_le.csv": ("rejected", 0, {"unsupported_encoding": 3}),
    "latin1.csv": ("rejected", 0, {"undecodable": 1}),
    "duplicate_records.csv": ("published", 6, NO_Q),
}
XLSX_CASES = {
    "good.xlsx": ("published", 3, NO_Q),
    "merged_cells.xlsx": ("published", 3, NO_Q),
    "several_sheets.xlsx": ("published", 3, NO_Q),
    "numeric_dates.xlsx": ("published", 3, NO_Q),
    "formula_cells.xlsx": ("published", 3, {"formula_injection": 2}),
    "title_above_header.xlsx": ("published", 3, NO_Q),
    "values_beyond_header.xlsx": ("published", 2, {"field_count_mismatch": 1}),
    "empty_sheet.xlsx": ("rejected", 0, NO_Q),
    "missing_required_column.xlsx": ("rejected", 0, {"missing_required_column:姓名": 1}),
    "truncated.xlsx": ("rejected", 0, {"unreadable_xlsx": 1}),
    "not_a_zip.xlsx": ("rejected", 0, {"unreadable_xlsx": 1}),
}
JSON_CASES = {
    "good": ("published", 3, NO_Q),
    "malformed_page": ("published", 2, {"malformed_json_page": 1}),
    "data_not_a_list": ("published", 3, {"malformed_json_page": 1}),
    "record_not_an_object": ("published", 3, {"not_an_object": 2}),
    "missing_required_field": ("rejected", 0, {"missing_required_column:姓名": 3}),
    "extra_fields": ("published", 3, NO_Q),
    "formula_value": ("published", 3, {"formula_injection": 1}),
    "empty_period": ("rejected", 0, NO_Q),
    "not_json_at_all": ("rejected", 0, {"malformed_json_page": 1}),
}


def test_the_corpus_has_at_least_50_bad_deliveries():
    assert len(CSV_CASES) + len(XLSX_CASES) + len(JSON_CASES) + 1 + len(HTTP_CASES) + 3 >= 50
    assert {p.name for p in (CORPUS / "csv").iterdir()} == set(CSV_CASES)
    assert {p.name for p in (CORPUS / "xlsx").iterdir()} == {*XLSX_CASES, "wrong_sheet_name.xlsx"}


def _check(h: Harness, resource: str, expected: tuple) -> dict:
    status, landed, reasons = expected
    results = h.ingest(resource)
    assert len(results) == 1, results
    r = results[0]
    assert r.status == status, r
    assert r.rows_in == r.rows_landed + r.rows_quarantined
    assert r.rows_landed == landed, r
    raw = h.raw_rows(resource, r.load_id)
    quarantine = h.quarantine_rows(resource, r.load_id)
    assert len(raw) == landed and len(quarantine) == r.rows_quarantined
    got: dict[str, int] = {}
    for q in quarantine:
        assert q["reason"] and q["raw_text"] is not None
        key = next((k for k in reasons if q["reason"].startswith(k)), q["reason"])
        got[key] = got.get(key, 0) + 1
    assert got == reasons, quarantine
    again = h.ingest(resource)  # the same delivery twice adds nothing
    assert [x.status for x in again] == ["skipped"]
    return {"raw": raw, "result": r}


@pytest.mark.parametrize("name", list(CSV_CASES))
def test_csv_delivery(tmp_path, name):
    h = Harness(tmp_path)
    h.drop(CORPUS / "csv" / name)
    out = _check(h, "csv_drop", CSV_CASES[name])
    for row in out["raw"]:
        assert "锟" not in "".join(str(v) for v in row.values() if v)  # no mojibake lands
    if name == "gb18030_four_byte.csv":
        assert "𠀀㐀" in {row["姓名"] for row in out["raw"]}
    if name == "extra_column_in_header.csv":
        assert "新字段" in out["raw"][0] and "新字段" in out["result"].message
    if name in ("empty.csv", "whitespace_only.csv"):
        assert out["result"].message == "empty_file"


def test_a_10_mb_field_is_quarantined_not_crashing(tmp_path):
    h = Harness(tmp_path)
    big = tmp_path / "big_field.csv"
    big.write_text(
        "编号,姓名,身份证号,日期,备注\n1,张三,,2020-01-01,ok\n2,李四,,2020-01-01,"
        + "长" * 3_500_000
        + "\n3,王五,,2020-01-01,ok\n",
        encoding="utf-8",
    )
    h.drop(big)
    results = h.ingest("csv_drop")
    r = results[0]
    assert r.status == "published" and r.rows_landed == 2 and r.rows_quarantined == 1
    [q] = h.quarantine_rows("csv_drop", r.load_id)
    assert q["reason"] in ("field_too_large", "line_too_long") and len(q["raw_text"]) > 3_000_000


def test_bytes_beyond_the_first_megabyte_still_decide_the_encoding(tmp_path):
    """The fast path presumes UTF-8 from the first megabyte only; a NUL byte or GB18030 bytes later
    in the file must still end as the full encoding decision would have it."""
    rows = "".join(f"{i},张三,,2020-01-01,ok\n" for i in range(60_000))  # well over 1 MiB
    header = "编号,姓名,身份证号,日期,备注\n"
    for name, tail, reason, records in [
        ("nul.csv", b"60001,x,,2020-01-01,\x00\n", "binary_content", 1),  # binary: one record, the file
        ("mixed.csv", "60001,李四,,2020-01-01,ok\n".encode("gb18030"), "mixed_encoding", 60_001),
    ]:
        h = Harness(tmp_path / name.removesuffix(".csv"))
        path = tmp_path / name
        delivered = (header + rows).encode("utf-8") + tail
        path.write_bytes(delivered)
        h.drop(path)
        [r] = h.ingest("csv_drop")
        assert r.status == "rejected" and r.rows_landed == 0, (name, r)
        assert r.rows_in == r.rows_quarantined == records, (name, r)  # a refused delivery counts its records
        quarantined = h.quarantine_rows("csv_drop", r.load_id)
        assert {q["reason"] for q in quarantined} == {reason} and len(quarantined) == records, name
        # the department may overwrite its drop: the lake keeps the delivery's bytes
        kept = h.layout.quarantine_batch("test_dept", "csv_drop", r.load_id) / "delivery.bin"
        assert kept.read_bytes() == delivered, name
    assert quarantined[-1]["raw_text"] == "60001,李四,,2020-01-01,ok"  # the GB18030 line, readable


@pytest.mark.parametrize("name", list(XLSX_CASES))
def test_xlsx_delivery(tmp_path, name):
    h = Harness(tmp_path)
    h.drop(CORPUS / "xlsx" / name)
    out = _check(h, "xlsx_drop", XLSX_CASES[name])
    if name == "merged_cells.xlsx":
        assert {row["备注"] for row in out["raw"]} == {"同一备注"}
    if name == "numeric_dates.xlsx":
        assert [row["日期"] for row in out["raw"]] == ["2020-01-01", "2021-03-04", "2021-05-05"]


def test_xlsx_without_the_catalogued_sheet_is_a_clear_error(tmp_path):
    h = Harness(tmp_path)
    h.drop(CORPUS / "xlsx" / "wrong_sheet_name.xlsx")
    [r] = h.ingest("xlsx_drop")
    assert r.status == "failed" and "no sheet '登记'" in r.message and "Sheet1" in r.message
    assert not h.layout.raw_resource("test_dept", "xlsx_drop").exists()


@pytest.mark.parametrize("name", list(JSON_CASES))
def test_json_pages(tmp_path, monkeypatch, name):
    monkeypatch.delenv("TEST_API_URL", raising=False)
    h = Harness(tmp_path)
    h.drop(CORPUS / "json" / name / "2026-10")
    out = _check(h, "json_api", JSON_CASES[name])
    if name == "extra_fields":
        assert json.loads(out["raw"][0]["新字段"]) == {"嵌套": True}  # a new field is kept and reported
        assert "新字段" in out["result"].message


# --- HTTP behaviour -------------------------------------------------------------------------------
GOOD_PAGES = [json.loads(p.read_bytes()) for p in sorted((CORPUS / "json" / "good" / "2026-10").glob("*.json"))]


class Api:
    """A programmable department API: `mode` says how it misbehaves."""

    def __init__(self, mode: str):
        self.mode, self.calls = mode, 0
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                return

            def do_GET(self):
                api.calls += 1
                if api.mode == "always_500" or (api.mode == "500_then_ok" and api.calls <= 2):
                    return self._send(HTTPStatus.INTERNAL_SERVER_ERROR, b'{"error": "boom"}')
                if api.mode == "slow":
                    time.sleep(1.5)
                if api.mode == "unauthorised":
                    return self._send(HTTPStatus.UNAUTHORIZED, b'{"error": "token"}')
                if self.path.startswith("/api/v1/periods"):
                    if api.mode == "periods_404":
                        return self._send(HTTPStatus.NOT_FOUND, b"{}")
                    return self._send(HTTPStatus.OK, b'["2026-10"]')
                page = int(self.path.split("page=")[1].split("&")[0])
                return self._send(HTTPStatus.OK, json.dumps(GOOD_PAGES[page - 1], ensure_ascii=False).encode())

            def _send(self, status, body):
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


HTTP_CASES = {
    "ok": ("published", None),
    "500_then_ok": ("published", None),
    "always_500": ("failed", "HTTP 500"),
    "slow": ("failed", "timed out"),
    "unauthorised": ("failed", "HTTP 401"),
    "periods_404": ("failed", "HTTP 404"),
    "refused": ("failed", "connection failed"),
}


@pytest.mark.parametrize("mode", list(HTTP_CASES))
def test_http_api_behaviour(tmp_path, monkeypatch, mode):
    monkeypatch.setattr(http_json, "BACKOFF_SECONDS", 0.01)
    api = Api(mode)
    url = api.url
    if mode == "refused":
        api.server.server_close()
    monkeypatch.setenv("TEST_API_URL", url)
    h = Harness(tmp_path)
    try:
        results = h.ingest("json_api")
    finally:
        api.server.shutdown() if mode != "refused" else None
    status, message = HTTP_CASES[mode]
    assert {r.status for r in results} == {status}, results
    if status == "published":
        assert sum(r.rows_landed for r in results) == 3
    else:
        assert message in results[0].message
        assert not h.layout.raw_resource("test_dept", "json_api").exists()


# --- databases ------------------------------------------------------------------------------------
def _sqlite_with(tmp_path: Path, columns: list[str]) -> str:
    url = f"sqlite:///{tmp_path / 'dept.sqlite'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"create table records ({', '.join(f'{c} text' for c in columns)})")
        conn.exec_driver_sql(
            f"insert into records values ({', '.join(['?'] * len(columns))})",
            [tuple(f"{c}{i}" for c in columns) for i in range(5)],
        )
    engine.dispose()
    return url


def test_database_that_refuses_connections_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_DB_URL", "postgresql+psycopg://nobody:secret-pw@127.0.0.1:1/none")
    [r] = Harness(tmp_path).ingest("db_table")
    assert r.status == "failed" and "connection refused" in r.message
    assert "secret-pw" not in r.message and "TEST_DB_URL" in r.message


def test_database_without_the_table(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_DB_URL", _sqlite_with(tmp_path, ["other"]).replace("records", "x"))
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'dept.sqlite'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("drop table records")
    [r] = Harness(tmp_path).ingest("db_table")
    assert r.status == "failed" and r.message.startswith("table_missing")


def test_database_table_missing_a_required_column_is_rejected(tmp_path, monkeypatch):
    monkeypatch.setenv("TEST_DB_URL", _sqlite_with(tmp_path, ["编号", "身份证号"]))
    h = Harness(tmp_path)
    [r] = h.ingest("db_table")
    assert r.status == "rejected" and r.rows_quarantined == 5 and r.rows_landed == 0
    assert {q["reason"] for q in h.quarantine_rows("db_table", r.load_id)} == {"missing_required_column:姓名"}
