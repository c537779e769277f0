"""The package's import structure, read from the source: the subpackages form layers and a
module imports only from its own layer or the ones below; no import cycle among its modules
(imports inside functions included: placing an import there hides a cycle, it does not remove
it); no module imports another module's `_private` name."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "transpiler"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(["transpiler", *parts])


def _resolve(module: str, node: ast.ImportFrom, package: bool) -> list[str]:
    """The package modules an import statement names (relative or absolute); ``package`` says
    the importing file is an ``__init__.py`` (its `.` is itself)."""
    if node.level:
        parts = module.split(".")
        base = parts[: len(parts) - node.level + (1 if package else 0)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    if not prefix.startswith("transpiler"):
        return []
    # `from pkg import name`: name is a submodule when there is one, else a name in pkg
    return [f"{prefix}.{a.name}" for a in node.names] + [prefix]


def imports() -> dict[str, dict[str, list[tuple[int, list[str]]]]]:
    """module -> imported package module -> [(line, names imported)]."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, dict[str, list]] = {m: {} for m in modules}
    for module, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                resolved = _resolve(module, node, path.name == "__init__.py")
                if not resolved:
                    continue
                *submodules, prefix = resolved
                found = [t for t in submodules if t in modules] or [prefix]
                for target in found:
                    while target not in modules and "." in target:
                        target = target.rsplit(".", 1)[0]
                    if target in modules and target != module:
                        graph[module].setdefault(target, []).append(
                            (node.lineno, [a.name for a in node.names]))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("transpiler.") and alias.name in modules:
                        graph[module].setdefault(alias.name, []).append((node.lineno, []))
    return graph


def cycles(graph: dict[str, dict]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(graph[child])))
                    break
                if child in on:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        out.append(sorted(component))
    return out


# Bottom to top; the README's layout section states the same order.  The top package's own
# modules (pipeline, verify, docs) orchestrate the layers below "interfaces".
LAYERS = ("ir", "common", "jvm", "udf", "frontend", "lowering", "reference", "artifact",
          "transpiler", "interfaces")


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else "transpiler"


def upward(graph: dict[str, dict]) -> list[str]:
    """Each import of a module in a higher layer than the importer's."""
    rank = {name: i for i, name in enumerate(LAYERS)}
    return [f"{module} ({layer(module)}) imports {target} ({layer(target)}), line {uses[0][0]}"
            for module, targets in graph.items() for target, uses in targets.items()
            if module != "transpiler" and rank[layer(target)] > rank[layer(module)]]


def test_every_subpackage_is_a_layer():
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert folders == set(LAYERS) - {"transpiler"}


def test_no_module_imports_from_a_higher_layer():
    assert upward(imports()) == []


@pytest.mark.parametrize("graph,expected", [
    ({"transpiler.ir.a": {"transpiler.udf.b": [(3, [])]}, "transpiler.udf.b": {}}, 1),
    ({"transpiler.udf.b": {"transpiler.ir.a": [(3, [])]}, "transpiler.ir.a": {}}, 0),
    ({"transpiler.lowering.a": {"transpiler.pipeline": [(9, [])]}, "transpiler.pipeline": {}}, 1),
    ({"transpiler.interfaces.cli": {"transpiler.pipeline": [(9, [])]}}, 0),
])
def test_the_layer_check_finds_a_planted_upward_import(graph, expected):
    assert len(upward(graph)) == expected


def test_no_import_cycles_even_through_imports_inside_functions():
    found = cycles(imports())
    assert found == [], found


def test_no_module_imports_another_modules_private_names():
    private = [f"{module} imports {name} from {target} (line {line})"
               for module, targets in imports().items() for target, uses in targets.items()
               for line, names in uses for name in names
               if name.startswith("_") and not name.endswith("__")]
    assert private == []


@pytest.mark.parametrize("graph,expected", [
    ({"a": {"b": []}, "b": {"a": []}}, [["a", "b"]]),
    ({"a": {"b": []}, "b": {"c": []}, "c": {"a": []}, "d": {"a": []}}, [["a", "b", "c"]]),
    ({"a": {"b": []}, "b": {}, "c": {"b": []}}, []),
])
def test_the_cycle_finder_finds_planted_cycles(graph, expected):
    assert cycles(graph) == expected


def test_each_stage_takes_what_the_one_before_returns():
    import typing

    from transpiler.pipeline import STAGES

    hints = [typing.get_type_hints(fn) for _, fn in STAGES]
    first = list(hints[0].values())[0]
    assert first is Path
    for (name, _), before, after in zip(STAGES[1:], hints, hints[1:]):
        given = [v for k, v in after.items() if k not in ("opts", "return")][0]
        assert before["return"] is given, name
        assert after["opts"].__name__ == "Options"


def test_packaging_takes_every_notebooks_last_stage_output():
    import typing

    from transpiler.pipeline import PACKAGE_STAGE, STAGES

    name, fn = PACKAGE_STAGE
    hints = typing.get_type_hints(fn)
    last = typing.get_type_hints(STAGES[-1][1])["return"]
    assert name == "package"
    assert typing.get_origin(hints["lowered"]) is tuple
    assert typing.get_args(hints["lowered"]) == (last, Ellipsis)
    assert hints["return"].__name__ == "Artifact"
