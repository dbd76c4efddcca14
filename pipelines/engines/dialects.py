"""The SQL each engine speaks, one subclass per engine (Splink's `SplinkDialect` pattern).

The standards compiler, its evaluators, the dbt macro writer, the validation suites and the engine
adapters build SQL through these primitives and never ask which engine they are on: an engine adapter
chooses its dialect once (`Engine.sql`), and what differs between DuckDB and Spark lives here.
"""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod
from collections.abc import Callable

WS_SQL = (
    "(' ' || chr(9) || chr(10) || chr(13) || chr(12) || chr(11) || chr(160))"  # no raw control characters in SQL text
)
BACKSLASH = "\\"
_LET_VARIABLE = "_v"


class Dialect(ABC):
    """SQL building blocks whose spelling differs between engines. Stateless: safe to share."""

    name: str  # sqlglot's name for the dialect
    dispatch_prefix: str  # the `<prefix>__` dbt's adapter.dispatch resolves for this engine
    string_type: str

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    @abstractmethod
    def ident(self, name: str) -> str:
        """A quoted column name (department field names are Chinese, with spaces and brackets)."""

    @abstractmethod
    def lit(self, text: str) -> str:
        """A string literal."""

    @abstractmethod
    def full_match(self, x: str, pattern: str) -> str: ...

    @abstractmethod
    def replace_all(self, x: str, pattern: str, replacement: str) -> str:
        """`replacement` uses \\1 for groups."""

    @abstractmethod
    def contains(self, x: str, pattern: str) -> str: ...

    def extract(self, x: str, pattern: str, group: int) -> str:
        return f"regexp_extract({x}, {self.lit(pattern)}, {group})"

    @abstractmethod
    def trim(self, x: str, characters: str = WS_SQL) -> str: ...

    @abstractmethod
    def starts_with(self, x: str, prefix: str) -> str: ...

    def int(self, x: str) -> str:
        return f"try_cast({x} as integer)"

    def as_string(self, x: str) -> str:
        return f"cast({x} as {self.string_type})"

    @abstractmethod
    def today(self) -> str:
        """Today as YYYY-MM-DD text."""

    def let(self, x: str, body: Callable[[str], str]) -> str:
        """`body(v)` with `x` evaluated once: a one-element list mapped by a lambda. Chained steps would
        otherwise copy their input into every place it is used, multiplying the work at each step.

        The lambda's variable is numbered above every variable the body already binds, so a nested
        lambda never shadows its parent's; the body is first built around a unique placeholder."""
        if x.replace("_", "").isalnum():
            return body(x)
        placeholder = f"\x00{secrets.token_hex(8)}\x00"
        inner = body(placeholder)
        depth = 0
        while f"{_LET_VARIABLE}{depth}" in inner:
            depth += 1
        v = f"{_LET_VARIABLE}{depth}"
        return self._bind(x, v, inner.replace(placeholder, v))

    @abstractmethod
    def _bind(self, x: str, v: str, inner: str) -> str:
        """`inner` (which names `v`) with `v` bound to `x`."""

    def translate_chars(self, x: str, source: str, target: str) -> str:
        """translate() of `x`, character by character."""
        return f"translate({x}, {self.lit(source)}, {self.lit(target)})"

    @abstractmethod
    def fold_chars(self, x: str, value_of_c: str, start: str, step_p_v: str) -> str:
        """Fold over the characters `c` of `x`: each becomes `value_of_c`, then `p` = `step_p_v` from `start`."""

    @abstractmethod
    def integers(self, first: int, last: int) -> str:
        """A relation of the integers `n` from `first` to `last`, both included."""

    def in_list(self, x: str, values) -> str:
        values = sorted(values)
        return f"({x} in ({', '.join(self.lit(v) for v in values)}))" if values else "false"


class DuckDBDialect(Dialect):
    name = "duckdb"
    dispatch_prefix = "duckdb"
    string_type = "varchar"

    def ident(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def lit(self, text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    def full_match(self, x: str, pattern: str) -> str:
        return f"regexp_full_match({x}, {self.lit(pattern)})"

    def replace_all(self, x: str, pattern: str, replacement: str) -> str:
        return f"regexp_replace({x}, {self.lit(pattern)}, {self.lit(replacement)}, 'g')"

    def contains(self, x: str, pattern: str) -> str:
        return f"regexp_matches({x}, {self.lit(pattern)})"

    def trim(self, x: str, characters: str = WS_SQL) -> str:
        return f"trim({x}, {characters})"

    def starts_with(self, x: str, prefix: str) -> str:
        return f"starts_with({x}, {self.lit(prefix)})"

    def today(self) -> str:
        return "strftime(current_date, '%Y-%m-%d')"

    def _bind(self, x: str, v: str, inner: str) -> str:
        return f"list_transform([{x}], lambda {v}: {inner})[1]"

    def translate_chars(self, x: str, source: str, target: str) -> str:
        """Only where some character needs it: DuckDB builds the character map per row, so a regex test of
        the same class first keeps the common case cheap."""
        cls = "[" + "".join("\\" + c if c in "\\[]^-" else c for c in source) + "]"
        translated = super().translate_chars
        return self.let(
            x, lambda v: f"(case when {self.contains(v, cls)} then {translated(v, source, target)} else {v} end)"
        )

    def integers(self, first: int, last: int) -> str:
        return f"(select range as n from range({first}, {last + 1}))"

    def fold_chars(self, x: str, value_of_c: str, start: str, step_p_v: str) -> str:
        return (
            f"list_reduce(list_transform(string_split({x}, ''), lambda c: {value_of_c}), "
            f"lambda p, v: {step_p_v}, {start})"
        )


class SparkDialect(Dialect):
    name = "spark"
    dispatch_prefix = "default"  # dbt-spark resolves spark__ then default__: any other adapter gets Spark SQL
    string_type = "string"

    def ident(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def lit(self, text: str) -> str:
        """Spark's parser treats backslash as an escape character, DuckDB's does not."""
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def full_match(self, x: str, pattern: str) -> str:
        return f"({x} rlike {self.lit('^(?:' + pattern + ')' + BACKSLASH + 'z')})"

    def replace_all(self, x: str, pattern: str, replacement: str) -> str:
        return f"regexp_replace({x}, {self.lit(pattern)}, {self.lit(replacement.replace(BACKSLASH, '$'))})"

    def contains(self, x: str, pattern: str) -> str:
        return f"({x} rlike {self.lit(pattern)})"

    def trim(self, x: str, characters: str = WS_SQL) -> str:
        return f"trim(BOTH {characters} FROM {x})"

    def starts_with(self, x: str, prefix: str) -> str:
        return f"startswith({x}, {self.lit(prefix)})"

    def today(self) -> str:
        return "date_format(current_date(), 'yyyy-MM-dd')"

    def _bind(self, x: str, v: str, inner: str) -> str:
        return f"transform(array({x}), {v} -> {inner})[0]"

    # translate_chars: Spark builds the map once (constant arguments), and Java's regex compiler overflows
    # its stack on a class of thousands of characters, so Spark translates directly (the base method).

    def integers(self, first: int, last: int) -> str:
        return f"(select id as n from range({first}, {last + 1}))"

    def fold_chars(self, x: str, value_of_c: str, start: str, step_p_v: str) -> str:
        return f"aggregate(transform(split({x}, ''), c -> {value_of_c}), {start}, (p, v) -> {step_p_v})"


DUCKDB, SPARK = DuckDBDialect(), SparkDialect()
HOUSE = DUCKDB  # the dialect platform SQL is written in; other engines translate it with sqlglot
ALL: tuple[Dialect, ...] = (DUCKDB, SPARK)


def dialect_named(name: str) -> Dialect:
    """The dialect of a name stored in data (a GX expectation's configuration)."""
    for d in ALL:
        if d.name == name:
            return d
    raise KeyError(f"no SQL dialect named {name!r}: one of {', '.join(d.name for d in ALL)}")
