"""Enumeration alerts: the questions a caller asks when it is completing a masked ID, not serving people.

Completing a masked ID (330206********123X) means asking about many ID numbers that share one masked
form; finding a name means asking about one ID number with many names; guessing blindly means mostly
"no". A counter or booking system does none of these: it asks about the person in front of it. Each
caller's recent questions are kept in memory (masked forms and keyed digests, no ID number or name),
and the first question that completes a pattern raises an alert: the caller is suspended.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import defaultdict, deque
from dataclasses import dataclass

WINDOW = 50  # the caller's last questions about persons that are looked at
SAME_MASK_IDS = 4  # different ID numbers with one masked form (division + last four)
SAME_ID_NAMES = 4  # different names asked with one ID number
NO_SHARE, NO_MIN = 0.6, 20  # at least this share of "no" answers, once this many questions were asked


@dataclass(frozen=True)
class _Question:
    masked: str
    id_digest: str
    name_digest: str
    answer: str


class EnumerationGuard:
    def __init__(self) -> None:
        self._salt = secrets.token_bytes(16)  # in-memory digests only: nothing to reverse after a restart
        self._recent: dict[str, deque[_Question]] = defaultdict(lambda: deque(maxlen=WINDOW))
        self._lock = threading.Lock()

    def _digest(self, text: str) -> str:
        return hmac.new(self._salt, text.encode(), hashlib.sha256).hexdigest()

    def observe(self, caller: str, masked_id: str, citizen_id: str, name: str, answer: str) -> str | None:
        """Record one answered question; return why the caller looks like it enumerates, or None."""
        question = _Question(masked_id, self._digest(citizen_id), self._digest(name), answer)
        with self._lock:
            recent = self._recent[caller]
            recent.append(question)
            same_mask = {q.id_digest for q in recent if q.masked == question.masked}
            same_id = {q.name_digest for q in recent if q.id_digest == question.id_digest}
            noes = sum(q.answer == "no" for q in recent)
        if len(same_mask) >= SAME_MASK_IDS:
            return f"{len(same_mask)} different ID numbers with the masked form {masked_id}"
        if len(same_id) >= SAME_ID_NAMES:
            return f"{len(same_id)} different names for one ID number ({masked_id})"
        if len(recent) >= NO_MIN and noes >= NO_SHARE * len(recent):
            return f"{noes} of the last {len(recent)} questions answered no"
        return None

    def forget(self, caller: str) -> None:
        with self._lock:
            self._recent.pop(caller, None)
