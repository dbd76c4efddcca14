"""What the audit log and error messages may hold of a query: its shape, never the personal data in it.

SQL is scrubbed on its parse (sqlglot, DuckDB dialect), not on patterns: every string, raw or dollar
quoted, and every long number is a literal node, whether it is written whole, split by `||`, or hidden in
a quoted alias; comments are dropped. A literal with Chinese characters is masked like a name, one with
six or more digits keeps its first two; ISO dates and short codes stay, since they say what was asked
and identify no one. SQL that does not parse is not recorded at all, only its length and digest.
Free text (an engine's error message) is scrubbed by pattern, stricter still: every run of digits and
every run of Chinese characters is masked.
"""

from __future__ import annotations

import hashlib
import re

import sqlglot
from sqlglot import exp

from pipelines.standards.masking import mask

DIGITS_KEPT = 2
LONG_NUMBER = 6  # digits in a literal from which it is masked
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff][\u3400-\u9fff\uf900-\ufaff·•*]*")
DIGIT_RUN = re.compile(r"\d[\d\s\-()+]{4,}\d|\d{6,}")


def masked_literal(text: str) -> str:
    if CJK.search(text):
        return mask("person_name", text) or ""
    digits = sum(c.isdigit() for c in text)
    if digits >= LONG_NUMBER and not ISO_DATE.fullmatch(text):
        seen = 0
        out = []
        for c in text:
            seen += c.isdigit()
            out.append(c if not c.isdigit() or seen <= DIGITS_KEPT else "*")
        return "".join(out)
    return text


def _scrub_node(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Literal | exp.RawString | exp.National | exp.HexString | exp.ByteString):
        text = str(node.this)
        masked = masked_literal(text)
        return exp.Literal.string(masked) if masked != text else node
    if isinstance(node, exp.Identifier) and masked_literal(node.this) != node.this:
        return exp.to_identifier(masked_literal(node.this), quoted=True)
    return node


def scrub_sql(sql: str) -> str:
    """The statement(s) as the audit log records them."""
    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError, RecursionError):
        statements = []
    if not statements:
        return f"<not parsed: {len(sql)} characters, sha256 {hashlib.sha256(sql.encode()).hexdigest()[:16]}>"
    return "; ".join(s.transform(_scrub_node).sql(dialect="duckdb", comments=False) for s in statements)


def scrub_text(text: str) -> str:
    """A message as a caller or the log may see it: digit runs (IDs, phones written any way) and Chinese
    runs (names, addresses) masked."""
    text = DIGIT_RUN.sub(lambda m: masked_literal(m.group(0)), text)
    return CJK_RUN.sub(lambda m: mask("person_name", m.group(0)) or "", text)
