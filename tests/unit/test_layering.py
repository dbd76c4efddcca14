"""The package's layers import only downward (docs/decisions.md, "Layers"), and no module imports itself
round a cycle: each layer can be read and tested without the ones above it."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from pipelines.paths import REPO_ROOT

PACKAGE = REPO_ROOT / "pipelines"

# lowest first; a module may import its own package or one of a lower layer, never a sibling or above
LAYERS: list[set[str]] = [
    {"paths", "yamlio", "generation", "clock", "files"},
    {"settings"},
    {"engines", "privacy"},
    {"standards"},
    {"catalog", "lake", "synth"},
    {"sources"},
    {"ingest", "linkage", "quality"},
    {"transform"},
    {"access", "publish"},
    {"verification"},
    {"orchestration"},
    {"cli"},
]
RANK = {package: rank for rank, layer in enumerate(LAYERS) for package in layer}


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, name) of every `pipelines` import in the file, at any depth (lazy imports count too); a
    `from m import x` gives `m.x`, which names a module or something in `m`."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "pipelines":
            out.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "pipelines")
    return out


def _package(module: str) -> str:
    return module.split(".")[1] if "." in module else ""


def _graph() -> dict[str, list[tuple[int, str]]]:
    return {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_package_has_a_layer():
    packages = {_package(m) for m in _graph() if _package(m)}
    assert packages == set(RANK), f"give these a layer: {sorted(packages ^ set(RANK))}"


def test_imports_go_only_downward():
    upward = []
    for module, imports in _graph().items():
        source = _package(module)
        for line, target in imports:
            dest = _package(target)
            if dest and dest != source and RANK[dest] >= RANK[source]:
                upward.append(
                    f"{module}:{line} imports {target} ({source} is layer {RANK[source]}, {dest} {RANK[dest]})"
                )
    assert not upward, "upward or sideways imports:\n  " + "\n  ".join(upward)


def test_no_module_import_cycles():
    graph = _graph()
    edges: dict[str, set[str]] = defaultdict(set)
    for module, imports in graph.items():
        for _, target in imports:
            while target not in graph and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in graph and target != module and not module.startswith(target + "."):
                edges[module].add(target)
    cycles = [c for c in _strongly_connected(graph, edges) if len(c) > 1]
    assert not cycles, f"import cycles: {cycles}"


def _strongly_connected(nodes, edges) -> list[list[str]]:
    """Tarjan's algorithm, iteratively."""
    index, low, on_stack, stack, out, counter = {}, {}, set(), [], [], [0]

    def visit(root: str) -> None:
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(sorted(component))

    for n in sorted(nodes):
        if n not in index:
            visit(n)
    return out


@pytest.mark.parametrize(
    ("module", "imported", "upward"),
    [
        ("pipelines.standards.sql", "pipelines.access.build", True),
        ("pipelines.access.build", "pipelines.standards.sql", False),
    ],
)
def test_the_rule_itself_tells_up_from_down(module, imported, upward):
    """The check can fail: an import from a higher layer is upward, from a lower one is not."""
    assert (RANK[_package(imported)] >= RANK[_package(module)]) is upward
