"""Exposures of not-shared resources (不予共享), the fourth single-veto item of the quarterly spot check.

The platform itself never exposes a not-shared resource: no grant reaches one (`pipelines.access.policy`),
and nothing record-level is published. An exposure is found outside it — by a spot-check team, an
inspection or a complaint: a department's not-shared data on a public website, in an open-data release, in
a file sent to someone without the right to it. Whoever finds it reports it here (`govlake exposures
report`, audited before it is kept), naming the resource, the day it was found and where, with no
record in it. The report fails the department for the period it was found in, whatever it scores
(`department_vetoes`), and is named on its scorecard.

Reports are kept beside the lake as JSON lines, validated on reading and never rewritten, like the
disputes; a report filed by mistake is withdrawn by another one (`withdraws`), audited the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pipelines.catalog.models import Catalog, SharingClass
from pipelines.files import append_json_lines
from pipelines.settings import Settings


class ExposureReport(BaseModel):
    """One finding: a not-shared resource of a department seen where it must not be."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    exposure_id: str
    department: str
    resource: str
    found_on: date = Field(description="the day it was found: the period the veto falls in")
    found_where: str = Field(min_length=3, description="where it was seen (a site, a release, a mailing)")
    reason: str = Field(min_length=8, description="what was seen, without any record's values")
    by: str = Field(min_length=1)
    recorded_at: datetime
    withdraws: str | None = Field(None, description="the exposure id this report withdraws (filed by mistake)")


class ExposureRefused(ValueError):
    """A report the register cannot take: an unknown resource, a resource that may be shared, a future date,
    a withdrawal of nothing."""


def exposures_path(settings: Settings) -> Path:
    return settings.data_root / "quality" / "exposures.jsonl"


def exposures_snapshot_path(settings: Settings) -> Path:
    """What dbt reads (source `stewardship.exposures`): the exposures standing, no reasons or names."""
    return settings.lake_root / "stewardship" / "exposures.parquet"


def load_reports(settings: Settings) -> list[ExposureReport]:
    path = exposures_path(settings)
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [ExposureReport.model_validate_json(line) for line in lines if line.strip()]


def standing_exposures(settings: Settings) -> list[ExposureReport]:
    """The exposures reported and not withdrawn, in the order they were found."""
    reports = load_reports(settings)
    withdrawn = {r.withdraws for r in reports if r.withdraws}
    found = [r for r in reports if not r.withdraws and r.exposure_id not in withdrawn]
    return sorted(found, key=lambda r: (r.found_on, r.exposure_id))


def report_exposure(
    settings: Settings,
    catalog: Catalog,
    department: str,
    resource: str,
    found_on: date,
    found_where: str,
    reason: str,
    by: str,
    audit: Callable[[ExposureReport], None],
    today: date | None = None,
) -> ExposureReport:
    """Keep a finding that `department`'s not-shared `resource` was exposed; `audit` gets it first."""
    try:
        entry = catalog.resource(department, resource)
    except KeyError:
        raise ExposureRefused(f"{department}/{resource} is not a catalogued resource") from None
    if entry.sharing.class_ is not SharingClass.NOT_SHARED:
        raise ExposureRefused(
            f"{department}/{resource} is shared ({entry.sharing.class_.value}): only a not-shared resource "
            "(不予共享) can be exposed"
        )
    if found_on > (today or date.today()):
        raise ExposureRefused(f"found on {found_on}: that day has not come yet")
    finding = {"department": department, "resource": resource, "found_on": found_on, "found_where": found_where}
    return _keep(settings, audit, **finding, reason=reason, by=by)


def withdraw_exposure(
    settings: Settings, exposure_id: str, reason: str, by: str, audit: Callable[[ExposureReport], None]
) -> ExposureReport:
    """Withdraw a report filed by mistake: its veto no longer counts from the next scorecards on."""
    standing = {r.exposure_id: r for r in standing_exposures(settings)}
    if exposure_id not in standing:
        raise ExposureRefused(f"no standing exposure {exposure_id}")
    finding = standing[exposure_id].model_dump(include={"department", "resource", "found_on", "found_where"})
    return _keep(settings, audit, **finding, reason=reason, by=by, withdraws=exposure_id)


def _keep(settings: Settings, audit: Callable[[ExposureReport], None], **fields) -> ExposureReport:
    """Keep a report of `fields` (ExposureReport's, but its id and time), once `audit` has it."""
    recorded_at = datetime.now(UTC)
    seed = "\x1f".join(str(fields.get(f)) for f in ("department", "resource", "found_on", "withdraws"))
    exposure_id = "X" + hashlib.sha256(f"{seed}\x1f{recorded_at.isoformat()}".encode()).hexdigest()[:11]
    report = ExposureReport(exposure_id=exposure_id, recorded_at=recorded_at, **fields)
    audit(report)  # before it takes effect: a report the log cannot hold is not kept
    append_json_lines(exposures_path(settings), [report])
    return report


def export_exposures(settings: Settings) -> Path:
    """Write the snapshot dbt reads (an empty one before the first report); returns its path."""
    import pyarrow as pa

    from pipelines.lake.layout import write_parquet_atomically

    schema = pa.schema(
        [
            ("exposure_id", pa.string()),
            ("department", pa.string()),
            ("resource", pa.string()),
            ("found_on", pa.date32()),
        ]
    )
    rows = [
        r.model_dump(include={"exposure_id", "department", "resource", "found_on"})
        for r in standing_exposures(settings)
    ]
    return write_parquet_atomically(pa.Table.from_pylist(rows, schema=schema), exposures_snapshot_path(settings))
