"""Safe, bounded YAML reading that remembers where every value came from.

Catalogue and standards files are written by hand and reviewed by people, so every problem must be
reported with its file and line. Files are read with PyYAML's safe loader, with a size cap, no
aliases (no "billion laughs"), no duplicate keys and a nesting limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

MAX_BYTES = 1_000_000
M = TypeVar("M", bound=BaseModel)
MAX_DEPTH = 32


class YamlProblem(Exception):
    """A YAML file that cannot be read, with its location."""

    def __init__(self, path: Path, line: int | None, message: str):
        super().__init__(f"{path}:{line or 1}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass(frozen=True)
class YamlDocument:
    path: Path
    data: Any
    root: yaml.Node | None

    def line_of(self, loc: Sequence[str | int]) -> int:
        """1-based line of the key (or list item) at `loc`, a pydantic error location, or its nearest parent."""
        node, line = self.root, 1
        for key in loc:
            found = _child(node, key) if node is not None else None
            if found is None:
                break
            line, node = found
        return line


def _child(node: yaml.Node, key: str | int) -> tuple[int, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == str(key):
                return k.start_mark.line + 1, v
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        item = node.value[key]
        return item.start_mark.line + 1, item
    return None


def _check(node: yaml.Node, path: Path, seen: set[int], depth: int) -> None:
    if id(node) in seen:
        raise YamlProblem(path, node.start_mark.line + 1, "YAML aliases are not allowed")
    seen.add(id(node))
    if depth > MAX_DEPTH:
        raise YamlProblem(path, node.start_mark.line + 1, f"nesting deeper than {MAX_DEPTH}")
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for k, v in node.value:
            if k.value in keys:
                raise YamlProblem(path, k.start_mark.line + 1, f"duplicate key {k.value!r}")
            keys.add(k.value)
            _check(k, path, seen, depth + 1)
            _check(v, path, seen, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for v in node.value:
            _check(v, path, seen, depth + 1)


def load_yaml(path: Path, max_bytes: int = MAX_BYTES) -> YamlDocument:
    """Read one YAML document safely; raise `YamlProblem` with a line number on any problem."""
    size = path.stat().st_size
    if size > max_bytes:
        raise YamlProblem(path, None, f"file is {size} bytes, larger than the {max_bytes}-byte limit")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlProblem(path, None, f"not UTF-8: {exc.reason} at byte {exc.start}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(path, mark.line + 1 if mark else None, f"malformed YAML: {exc.problem}") from None
    if root is None:
        return YamlDocument(path, None, None)
    _check(root, path, set(), 0)
    try:
        data = yaml.SafeLoader("").construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise YamlProblem(path, mark.line + 1 if mark else None, f"malformed YAML: {exc.problem}") from None
    return YamlDocument(path, data, root)


# --- validation against a pydantic model, one format for every declaration folder --------------------
@dataclass(frozen=True, order=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class DeclarationsInvalid(ValueError):
    """Declarations (catalogue, standards, access, overrides, subject rules) that do not validate: every
    problem, each with its file and line."""

    what = "declarations"

    def __init__(self, problems: Sequence[Problem]):
        self.problems = sorted(problems)
        super().__init__(f"{self.what} invalid:\n" + "\n".join(f"  {p}" for p in self.problems))


def _readable(data: Any, loc: Sequence[str | int]) -> tuple[str | int, ...]:
    """A pydantic error location without the tags of discriminated unions (`source.file.path` is
    `source.path` in the file)."""
    out: list[str | int] = []
    for i, key in enumerate(loc):
        if (isinstance(data, dict) and key in data) or (
            isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data)
        ):
            data = data[key]
        elif isinstance(data, dict) and i + 1 < len(loc) and loc[i + 1] in data:
            continue  # a union's tag: not in the document
        out.append(key)
    return tuple(out)


def validate(doc: YamlDocument, model: type[M], loc: tuple = ()) -> tuple[M | None, list[Problem]]:
    """The part of `doc` at `loc` as `model`, or every validation error with its line."""
    data = doc.data
    for key in loc:
        data = data[key]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = loc + _readable(data, err["loc"])
            label = ".".join(str(p) for p in where) or "(document)"
            problems.append(Problem(doc.path, doc.line_of(where), f"{label}: {err['msg']}"))
        return None, problems


def read(path: Path, model: type[M], loc: tuple = ()) -> tuple[YamlDocument | None, M | None, list[Problem]]:
    """Read and validate one file: (document, model or None, problems)."""
    try:
        doc = load_yaml(path)
    except YamlProblem as exc:
        return None, None, [Problem(path, exc.line or 1, exc.message)]
    if doc.data is None:
        return doc, None, [Problem(path, 1, "the file is empty")]
    parsed, problems = validate(doc, model, loc)
    return doc, parsed, problems


def load_validated(path: Path, model: type[M], invalid: type[DeclarationsInvalid] = DeclarationsInvalid) -> M:
    """One file as `model`; raises `invalid` listing every problem."""
    _, parsed, problems = read(path, model)
    if problems:
        raise invalid(problems)
    assert parsed is not None
    return parsed
