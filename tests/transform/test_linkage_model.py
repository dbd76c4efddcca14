"""A build links with the model an earlier build trained and kept, and trains again only when asked
(`--full-refresh`, `govlake linkage train`) or when the model's definition changed. On a copy of the
session's built city, whose one build trained and kept both subjects' models."""

from __future__ import annotations

import json

import pytest

from pipelines.engines import engine_for
from pipelines.linkage import run as linkage
from pipelines.linkage.models import person_model
from pipelines.settings import Settings
from pipelines.transform.build import link_subject

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("airflow")]
SUBJECT = "population"


@pytest.fixture
def settings(built_city, built_small_city, tmp_path) -> Settings:
    from tests.access.conftest import TEST_KEY
    from tests.conftest import copy_data

    data, _ = copy_data(built_small_city, tmp_path / "data")
    return Settings(data_dir=data, source_root=built_city, pseudonym_key=TEST_KEY)


def _rounded(value):
    """Floats to 9 significant digits: training again sums in another order, to the last bits."""
    if isinstance(value, float):
        return float(format(value, ".9g"))
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def _links(settings: Settings) -> list:
    table = f"{linkage.SCHEMA}.{SUBJECT}_links"
    return _rounded(
        [
            list(r.values())
            for r in engine_for(settings).query(f"select * from {table} order by source_record_id").to_pylist()
        ]
    )


def _model(settings: Settings) -> tuple[dict, str]:
    row = engine_for(settings).query(f"select settings_json, definition_digest from {linkage.SCHEMA}.{SUBJECT}_model")
    model = {k: v for k, v in json.loads(row["settings_json"][0].as_py()).items() if k != "linker_uid"}  # random
    return _rounded(model), row["definition_digest"][0].as_py()


def _keep(settings: Settings, model: dict, digest: str) -> None:
    import pyarrow as pa

    with engine_for(settings).workspace() as ws:
        ws.register("_model", pa.table({"settings_json": [json.dumps(model)], "definition_digest": [digest]}))
        ws.execute(
            f"create or replace table {ws.warehouse(linkage.SCHEMA, f'{SUBJECT}_model')} as select * from _model"
        )


def test_a_build_links_with_the_kept_model_and_trains_only_when_asked(settings, monkeypatch):
    built, (trained, digest) = _links(settings), _model(settings)
    assert digest == linkage.definition_digest(person_model())
    assert sum(1 for r in built if r[3] == "probabilistic") > 20  # records Splink linked, not only identifiers

    # kept: scored with the stored model, only the pairs of records changed since (none): the same links
    result = link_subject(settings, SUBJECT)
    assert not result.trained and result.changed_only and result.pairs_scored == 0
    assert _links(settings) == built

    # the stored model is what scores: one that thinks no two records match links none by Splink (and, not
    # the model that scored the last run's pairs, scores every pair again)
    sceptic = {**trained, "probability_two_random_records_match": 1e-60}
    _keep(settings, sceptic, digest)
    result = link_subject(settings, SUBJECT)
    assert not result.trained and not result.changed_only and result.pairs_scored > 0
    assert not any(r[3] == "probabilistic" for r in _links(settings))

    # asked to train (a build's --full-refresh): the model is learnt from the records again
    assert link_subject(settings, SUBJECT, retrain=True).trained
    assert _model(settings)[0] == trained and _links(settings) == built

    # `govlake linkage train` trains and keeps it; the next build links with it
    _keep(settings, sceptic, digest)
    linkage.train(settings, SUBJECT)
    assert _model(settings)[0] == trained
    assert not link_subject(settings, SUBJECT).trained and _links(settings) == built

    # a model kept under another definition (a comparison or the training sample changed) is trained again
    _keep(settings, sceptic, digest)
    monkeypatch.setattr(linkage, "U_SAMPLE_RECORDS", linkage.U_SAMPLE_RECORDS + 1)
    assert link_subject(settings, SUBJECT).trained
    assert _model(settings)[1] == linkage.definition_digest(person_model()) != digest
