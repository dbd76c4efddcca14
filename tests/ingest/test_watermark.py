"""A database table read by its updated-at watermark, on the real servers: day two reads only what changed,
the watermark moves with the published batch, and the catalogued full read catches deletions."""

from __future__ import annotations

import json
import sqlite3

import duckdb
import pytest
import sqlalchemy as sa

from pipelines.catalog import load_catalog
from pipelines.ingest.runner import ingest_resource
from pipelines.lake.layout import LakeLayout
from pipelines.lake.ledger import Ledger
from pipelines.settings import Settings

pytestmark = pytest.mark.db

DEPT, RESOURCE, ENV = "public_security", "household_registry", "GOVLAKE_SRC_PUBLIC_SECURITY_URL"


def _person(xh: int, address: str, updated: str) -> dict:
    return {
        "xh": str(xh),
        "gmsfhm": "11010519491231002X",
        "xm": "张三",
        "xb": "1",
        "mz": "01",
        "csrq": "1949-12-31",
        "hjdz_xzqh": "330203",
        "hjdz": address,
        "hh": "330203000001",
        "yhzgx": "02",
        "hyzk": "20",
        "lxdh": None,
        "hjzt": "1",
        "gxsj": updated,
    }


def _landed(layout: LakeLayout, load_id: str) -> list[tuple]:
    folder = layout.raw_batch(DEPT, RESOURCE, load_id)
    return duckdb.sql(
        f"select xh, hjdz, _semantics from read_parquet('{folder}/*.parquet') order by xh::int"
    ).fetchall()


@pytest.mark.parametrize("scratch_database", ["postgresql", "mariadb"], indirect=True)
def test_day_two_reads_only_what_changed_and_full_reads_catch_deletions(tmp_path, monkeypatch, scratch_database):
    _, url = scratch_database
    resource = load_catalog().resource(DEPT, RESOURCE)
    engine = sa.create_engine(url)
    table = sa.Table("rk_hjxx", sa.MetaData(), *(sa.Column(f.name, sa.String(64)) for f in resource.fields))
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [_person(i, f"旧地址{i}号", "2026-11-01 09:00:00") for i in range(1, 6)])
    monkeypatch.setenv(ENV, url)
    settings = Settings(data_dir=tmp_path / "data", source_root=tmp_path / "sources")
    layout = LakeLayout(settings.lake_root)
    ledger = Ledger(layout.ledger_path)

    [day1] = ingest_resource(DEPT, RESOURCE, settings)
    assert day1.status == "published" and day1.rows_in == 5
    assert {s for *_, s in _landed(layout, day1.load_id)} == {"snapshot"}
    assert ledger.watermark(DEPT, RESOURCE) == ("2026-11-01 09:00:00", 0)

    [quiet] = ingest_resource(DEPT, RESOURCE, settings)  # nothing changed: nothing lands, the run counts
    assert quiet.status == "skipped" and "watermark" in quiet.message
    with engine.begin() as conn:  # person 3 moves; person 6 is registered
        conn.execute(table.update().where(table.c.xh == "3").values(hjdz="新地址3号", gxsj="2026-11-02 10:00:00"))
        conn.execute(table.insert(), [_person(6, "新地址6号", "2026-11-02 11:00:00")])
    [day2] = ingest_resource(DEPT, RESOURCE, settings)
    assert day2.status == "published" and day2.rows_in == 2  # only what changed, not the whole table
    assert _landed(layout, day2.load_id) == [("3", "新地址3号", "increment"), ("6", "新地址6号", "increment")]
    assert ledger.watermark(DEPT, RESOURCE) == ("2026-11-02 11:00:00", 2)

    with engine.begin() as conn:  # person 5 is deleted at the source: only a whole read can tell
        conn.execute(table.delete().where(table.c.xh == "5"))
    results = [ingest_resource(DEPT, RESOURCE, settings)[0] for _ in range(4)]
    assert [r.status for r in results] == ["skipped"] * 4  # increments: a deletion leaves no updated row
    [whole] = ingest_resource(DEPT, RESOURCE, settings)  # the 7th run since the last whole read
    every = resource.delivery.full_snapshot_every
    assert every == 7 and whole.status == "published" and whole.rows_in == 5
    assert [k for k, *_ in _landed(layout, whole.load_id)] == ["1", "2", "3", "4", "6"]
    assert ledger.watermark(DEPT, RESOURCE) == ("2026-11-02 11:00:00", 0)
    engine.dispose()


def test_a_crash_before_publishing_leaves_the_watermark_where_it_was(tmp_path, monkeypatch):
    """A killed run's `running` row carries no watermark; a `staged` one is rolled forward with its own."""
    db = tmp_path / "hukou.sqlite"
    resource = load_catalog().resource(DEPT, RESOURCE)
    con = sqlite3.connect(db)
    con.execute(f"create table rk_hjxx ({', '.join(f.name + ' text' for f in resource.fields)})")
    rows = [_person(i, f"地址{i}", f"2026-11-0{i} 09:00:00") for i in range(1, 4)]
    con.executemany(f"insert into rk_hjxx values ({', '.join('?' * len(rows[0]))})", [tuple(r.values()) for r in rows])
    con.commit()
    monkeypatch.setenv(ENV, f"sqlite:///{db}")
    settings = Settings(data_dir=tmp_path / "data", source_root=tmp_path / "sources")
    layout = LakeLayout(settings.lake_root)
    ledger = Ledger(layout.ledger_path)
    [first] = ingest_resource(DEPT, RESOURCE, settings)
    assert ledger.watermark(DEPT, RESOURCE) == ("2026-11-03 09:00:00", 0)
    # a run killed after the audit: staged in the ledger, files still under _staging
    con.execute("update rk_hjxx set hjdz='新', gxsj='2026-11-05 09:00:00' where xh='2'")
    con.commit()
    import pipelines.ingest.runner as runner

    def killed(*args, **kwargs):
        raise SystemExit("killed between the audit and the publish")

    monkeypatch.setattr(runner, "publish", killed)
    with pytest.raises(SystemExit):
        ingest_resource(DEPT, RESOURCE, settings)
    staged = ledger.rows("status='staged'")
    assert len(staged) == 1 and staged[0]["watermark"] == "2026-11-05 09:00:00"
    assert ledger.watermark(DEPT, RESOURCE)[0] == "2026-11-05 09:00:00"  # staged counts: recovery publishes it
    monkeypatch.undo()
    monkeypatch.setenv(ENV, f"sqlite:///{db}")
    [after] = ingest_resource(DEPT, RESOURCE, settings)  # recovery rolls the staged batch forward first
    assert after.status == "skipped"
    assert ledger.rows("status='staged'") == [] and len(ledger.rows("status='published'")) == 2
    assert _landed(layout, staged[0]["load_id"]) == [("2", "新", "increment")]
    assert first.load_id != staged[0]["load_id"]


def _page(records: list[dict]) -> str:
    return json.dumps({"page": 1, "page_size": 500, "data": records}, ensure_ascii=False)


def _enrolment(key: str, updated: str, status: str = "1") -> dict:
    return {
        "aaz159": key, "aac002": "11010519491231002X", "aac003": "张三", "aac004": "1", "aac006": "19491231",
        "aae005": None, "aab998": "91330205836527216T", "aab004": "宁波达安餐饮管理股份有限公司", "aae140": "110",
        "aac030": "2026-10-01", "aac008": status, "aae036": updated,
    }  # fmt: skip


def test_the_api_is_asked_only_for_what_changed_since_the_watermark(tmp_path, monkeypatch):
    """The HR API answers `updated_since`; after the first load the connector asks it for nothing else."""
    from pipelines.synth.api import start_api_server

    folder = tmp_path / "enrolments"
    for period, keys in (("2026-09", ["1", "2"]), ("2026-10", ["3"])):
        (folder / period).mkdir(parents=True)
        records = [_enrolment(k, f"{period}-05 11:00:00") for k in keys]
        (folder / period / "page-00001.json").write_text(_page(records), encoding="utf-8")
        index = {"period": period, "total": len(records), "total_pages": 1, "page_size": 500}
        (folder / period / "index.json").write_text(json.dumps(index), encoding="utf-8")
    server, _ = start_api_server(folder)
    monkeypatch.setenv("GOVLAKE_SRC_HR_SOCIAL_SECURITY_API", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.delenv("GOVLAKE_SRC_HR_SOCIAL_SECURITY_TOKEN", raising=False)
    settings = Settings(data_dir=tmp_path / "data", source_root=tmp_path / "sources")
    ledger = Ledger(LakeLayout(settings.lake_root).ledger_path)
    dept, resource = "hr_social_security", "social_insurance_enrolments"
    try:
        first = ingest_resource(dept, resource, settings)
        assert [r.status for r in first] == ["published", "published"]  # one delivery per period
        assert ledger.watermark(dept, resource)[0] == "2026-10-05 11:00:00"
        [quiet] = ingest_resource(dept, resource, settings)
        assert quiet.status == "skipped" and quiet.delivery == "updated since 2026-10-05 11:00:00"
        # enrolment 1 ends, enrolment 4 is new: the API serves them from the period pages they sit in
        page = folder / "2026-09" / "page-00001.json"
        page.write_text(
            _page([_enrolment("1", "2026-11-02 11:00:00", "2"), _enrolment("2", "2026-09-05 11:00:00")]), "utf-8"
        )
        (folder / "2026-10" / "page-00001.json").write_text(
            _page([_enrolment("3", "2026-10-05 11:00:00"), _enrolment("4", "2026-11-03 11:00:00")]), "utf-8"
        )
        [changed] = ingest_resource(dept, resource, settings)
        assert changed.status == "published" and changed.rows_in == 2
        folder_of = LakeLayout(settings.lake_root).raw_batch(dept, resource, changed.load_id)
        keys = duckdb.sql(f"select aaz159, aac008 from read_parquet('{folder_of}/*.parquet') order by 1").fetchall()
        assert keys == [("1", "2"), ("4", "1")]
        assert ledger.watermark(dept, resource)[0] == "2026-11-03 11:00:00"
    finally:
        server.shutdown()


def test_saved_pages_of_a_period_already_loaded_are_not_parsed_again(tmp_path, monkeypatch):
    """Without the API, its saved pages are read period by period. A period's pages are digested before they
    are parsed, as a file is: a day parses only the periods that changed, not every month again."""
    from pipelines.sources.http_json import HttpJsonSource

    monkeypatch.delenv("GOVLAKE_SRC_HR_SOCIAL_SECURITY_API", raising=False)
    settings = Settings(data_dir=tmp_path / "data", source_root=tmp_path / "sources")
    folder = settings.sources_dir / "hr_social_security" / "enrolments"
    for period, keys in (("2026-09", ["1", "2"]), ("2026-10", ["3"])):
        (folder / period).mkdir(parents=True)
        records = [_enrolment(k, f"{period}-05 11:00:00") for k in keys]
        (folder / period / "page-00001.json").write_text(_page(records), encoding="utf-8")
    dept, resource = "hr_social_security", "social_insurance_enrolments"
    assert [r.status for r in ingest_resource(dept, resource, settings)] == ["published", "published"]
    parsed, extract = [], HttpJsonSource.extract

    def spied(self, delivery, batch):
        parsed.append(delivery.ref)
        return extract(self, delivery, batch)

    monkeypatch.setattr(HttpJsonSource, "extract", spied)
    (folder / "2026-10" / "page-00002.json").write_text(_page([_enrolment("4", "2026-10-06 11:00:00")]), "utf-8")
    again = ingest_resource(dept, resource, settings)
    assert [(r.delivery, r.status) for r in again] == [("period 2026-09", "skipped"), ("period 2026-10", "published")]
    assert parsed == ["period 2026-10"] and again[1].rows_in == 2
