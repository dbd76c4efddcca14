"""The verification service under load: 1,000 questions at concurrency 16 over loopback HTTP
(uvicorn, one process), against the same questions answered in-process (verifier + audit entry,
no HTTP) in the same run. Every HTTP answer must be a 200 and equal the in-process one.
"""

from __future__ import annotations

import asyncio
import csv
import socket
import statistics
import threading
import time
from datetime import date

from bench.ingest import city

REQUESTS, CONCURRENCY = 1_000, 16


def _questions(people: int, n: int) -> list[tuple[str, dict]]:
    with (city(people) / "truth" / "persons.csv").open(encoding="utf-8", newline="") as f:
        persons = [p for p in csv.DictReader(f) if p["in_city"] == "1"]
    out = []
    for i in range(n):
        p = persons[(i * 7919) % len(persons)]
        if i % 3 == 0:
            out.append(("/v1/identity", {"citizen_id": p["citizen_id"], "name": p["name"]}))
        elif i % 3 == 1:
            other = persons[(i * 104729) % len(persons)]["name"]
            out.append(("/v1/identity", {"citizen_id": p["citizen_id"], "name": other}))
        else:
            out.append(("/v1/alive", {"citizen_id": p["citizen_id"], "name": p["name"]}))
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _load(port: int, token: str, questions: list[tuple[str, dict]]) -> tuple[list[float], list, int]:
    import httpx

    latencies, answers, errors = [0.0] * len(questions), [None] * len(questions), 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(len(questions)):
        queue.put_nowait(i)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30) as client:

        async def worker() -> None:
            nonlocal errors
            while not queue.empty():
                i = queue.get_nowait()
                path, body = questions[i]
                t = time.perf_counter()
                r = await client.post(path, json=body)
                latencies[i] = time.perf_counter() - t
                if r.status_code != 200:
                    errors += 1
                else:
                    answers[i] = r.json()["answer"]

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return latencies, answers, errors


def run(people: int) -> dict:
    import uvicorn

    from bench.subjects import lake
    from pipelines.access.audit import AuditLog
    from pipelines.settings import Settings
    from pipelines.transform.build import build_subject_databases
    from pipelines.verification.api import create_app
    from pipelines.verification.callers import callers_path, issue_token
    from pipelines.verification.index import build_index
    from pipelines.verification.verifier import Verifier

    settings = Settings(data_dir=lake(people), source_root=city(people))
    if not settings.warehouse_path.exists():
        build_subject_databases(settings)
    build_index(settings)
    token = issue_token("bench", "health", callers_path(settings), rate_per_minute=10_000_000, burst=1_000_000)
    questions = _questions(people, REQUESTS)

    verifier, audit = Verifier.open(settings), AuditLog.open(settings)
    direct, expected = [], []
    for path, body in questions:
        t = time.perf_counter()
        answer = (
            verifier.identity(body["citizen_id"], body["name"])
            if path == "/v1/identity"
            else verifier.alive(body["citizen_id"], body["name"])
        )
        audit.append(
            "bench as health",
            "verify" + path.replace("/v1/", "."),
            outcome=answer.value,
            rows=1,
            **verifier.audit_subject(body["citizen_id"]),
        )
        direct.append(time.perf_counter() - t)
        expected.append(answer.value)

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    t = time.perf_counter()
    latencies, answers, errors = asyncio.run(_load(port, token, questions))
    wall = time.perf_counter() - t
    server.should_exit = True
    thread.join(10)
    if errors or answers != expected:
        raise AssertionError(
            f"{errors} errors; {sum(a != e for a, e in zip(answers, expected, strict=True))} answers differ"
        )
    verified = AuditLog.open(settings).verify()
    ms = [x * 1000 for x in latencies]
    direct_ms = [x * 1000 for x in direct]
    return {
        "people": people,
        "as_of": date.today().isoformat(),
        "requests": REQUESTS,
        "concurrency": CONCURRENCY,
        "errors": errors,
        "answers": {a: answers.count(a) for a in ("yes", "no")},
        "http_p50_ms": round(_percentile(ms, 0.50), 2),
        "http_p99_ms": round(_percentile(ms, 0.99), 2),
        "http_mean_ms": round(statistics.fmean(ms), 2),
        "throughput_per_s": round(REQUESTS / wall, 1),
        "in_process_p50_ms": round(_percentile(direct_ms, 0.50), 3),
        "in_process_p99_ms": round(_percentile(direct_ms, 0.99), 3),
        "p50_ratio_http_vs_in_process": round(_percentile(ms, 0.50) / _percentile(direct_ms, 0.50), 1),
        "audit_entries_verified": verified.entries,
        "audit_intact": verified.ok,
    }
