"""The shape of the code: no import cycles among supervise's modules, a domain that knows nothing of
blueprints or the request, modules small enough to read, and the reactions to ticket events listed in
one place. Read from the source with ``ast``: nothing is imported to check it."""

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from supervise.domain import subscribers
from supervise.domain.workflow import event_recorded

PACKAGE = Path(__file__).resolve().parent.parent / "supervise"
MAX_LINES = 400
# Declarative tables: long by nature, read row by row.
TABLES = {"supervise/seed_data.py"}
# What a domain module may take from flask: the application, never the request, session or response.
DOMAIN_FLASK_NAMES = {"current_app", "g", "has_app_context"}
# Modules outside the blueprints that every portal uses: they must not depend on any portal.
SHARED = ("supervise.domain", "supervise.models", "supervise.labels", "supervise.templating")


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def is_package(name: str) -> bool:
    return modules()[name].name == "__init__.py"


@cache
def tree(name: str) -> ast.Module:
    return ast.parse(modules()[name].read_text(encoding="utf-8"))


def _module_of(dotted: str) -> str | None:
    """The longest module name that ``dotted`` (a module or a name in one) starts with."""
    while dotted and dotted not in modules():
        dotted = dotted.rpartition(".")[0]
    return dotted or None


@cache
def reexports(package: str) -> dict[str, str]:
    """Names a package's ``__init__`` imports from its own submodules: name -> submodule."""
    found = {}
    for node in tree(package).body:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith(package + "."):
            for alias in node.names:
                found[alias.asname or alias.name] = _module_of(node.module)
    return found


def imported(name: str) -> set[str]:
    """The supervise modules ``name`` imports, anywhere in it (an import inside a function included:
    deferring an import hides a cycle, it does not remove it).

    ``from pkg import Name`` counts as importing the submodule ``pkg`` took ``Name`` from. A package's
    imports of its own submodules are not counted: Python imports a package before its submodules, and
    a package that registers its parts (a blueprint importing its routes) depends on them by design."""
    targets = set()
    for node in ast.walk(tree(name)):
        if isinstance(node, ast.Import):
            targets.update(_module_of(a.name) for a in node.names if a.name.startswith("supervise"))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("supervise"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if full in modules():
                    targets.add(full)
                elif node.module in modules() and is_package(node.module):
                    targets.add(reexports(node.module).get(alias.name, node.module))
                else:
                    targets.add(_module_of(node.module))
    own = name + "." if is_package(name) else None
    return {t for t in targets if t and t != name and not (own and t.startswith(own))}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` as a path that ends where it starts, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def blueprint_packages() -> set[str]:
    """Packages whose ``__init__`` makes a Flask blueprint: the portals and the API."""
    found = set()
    for name in modules():
        if is_package(name) and any(
            isinstance(n, ast.Call) and getattr(n.func, "id", None) == "Blueprint" for n in ast.walk(tree(name))
        ):
            found.add(name)
    return found


def test_the_import_graph_is_read():
    graph = {name: imported(name) for name in modules()}
    assert "supervise.domain.workflow.engine" in graph["supervise.domain.subscribers"]  # event_recorded
    assert "supervise.domain.measures.cells" in graph["supervise.domain.subscribers"]
    # from supervise.models import Ticket: the module that defines Ticket
    assert "supervise.models.ticket" in graph["supervise.domain.clocks"]
    assert {"supervise.public", "supervise.admin"} <= blueprint_packages()


def test_no_import_cycles():
    graph = {name: imported(name) for name in modules()}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_a_cycle_is_found():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("prefix", SHARED)
def test_shared_modules_import_no_blueprint(prefix):
    portals = blueprint_packages()
    offending = sorted(
        f"{name} imports {target}"
        for name in modules()
        if name == prefix or name.startswith(prefix + ".")
        for target in imported(name)
        if any(target == p or target.startswith(p + ".") for p in portals)
    )
    assert offending == []


def test_the_domain_never_touches_the_request():
    offending = []
    for name in modules():
        if not name.startswith("supervise.domain"):
            continue
        for node in ast.walk(tree(name)):
            if isinstance(node, ast.ImportFrom) and node.module == "flask":
                offending += [f"{name}: flask.{a.name}" for a in node.names if a.name not in DOMAIN_FLASK_NAMES]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("flask_login", "flask_wtf"):
                offending.append(f"{name}: {node.module}")
            elif isinstance(node, ast.Import):
                offending += [
                    f"{name}: {a.name}"
                    for a in node.names
                    if a.name.split(".")[0] in ("flask", "flask_login", "flask_wtf")
                ]
    assert offending == []


def test_modules_are_small():
    too_long = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE.parent).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES and relative not in TABLES:
            too_long[relative] = lines
    assert too_long == {}


# ---------------------------------------------------------------- reactions to ticket events


def test_every_reaction_to_an_event_is_listed():
    """What runs in the transaction of every timeline event, in order. A new reaction is added to
    ``subscribers.EVENT_RECORDED`` and here."""
    assert [f"{r.__module__}.{r.__name__}" for r in subscribers.EVENT_RECORDED] == [
        "supervise.domain.notify.on_event_recorded",
        "supervise.domain.supervision.on_event_recorded",
        "supervise.domain.search.on_event_recorded",
        "supervise.domain.measures.cells.on_event_recorded",
        "supervise.domain.alerts.on_event_recorded",
        "supervise.domain.projects.blockers.on_event_recorded",
    ]
    assert [f"{h.__module__}.{h.__name__}" for h in subscribers.SESSION_HOOKS] == [
        "supervise.domain.public_generation.connect",
        "supervise.domain.counts.connect",
        "supervise.domain.co_copies.connect",
    ]


def test_the_app_connects_exactly_the_listed_receivers(app):
    connected = [r for r in event_recorded.receivers_for(object()) if r.__module__.startswith("supervise.")]
    assert connected == [subscribers.on_event_recorded]


def test_no_module_connects_to_events_on_its_own():
    connecting = sorted(
        name
        for name in modules()
        for node in ast.walk(tree(name))
        if isinstance(node, ast.Attribute)
        and node.attr == "connect"
        and isinstance(node.value, ast.Name | ast.Attribute)
        and (getattr(node.value, "id", None) or getattr(node.value, "attr", None)) == "event_recorded"
    )
    assert connecting == ["supervise.domain.subscribers"]


def test_every_page_title_is_plain_text():
    """A ``title`` block holds the page's name only: markup there would land in the browser's tab."""
    blocks = re.compile(r"{%-?\s*block title\s*-?%}(.*?){%-?\s*endblock", re.S)
    for template in (PACKAGE / "templates").rglob("*.html"):
        for title in blocks.findall(template.read_text(encoding="utf-8")):
            assert "<" not in title and "\n" not in title, f"{template.name}: {title[:80]!r}"
