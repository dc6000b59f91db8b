"""Every package the application imports is declared in requirements.in (not merely pulled in by another
one, which could drop it in any upgrade)."""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = {"supervise", "config", "tests", "bench"}


def _imported_top_level_names() -> set[str]:
    names = set()
    files = [
        *(ROOT / "supervise").rglob("*.py"),
        *(ROOT / "migrations").rglob("*.py"),
        ROOT / "config.py",
        ROOT / "wsgi.py",
    ]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in FIRST_PARTY}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    declared = set()
    for line in (ROOT / "requirements.in").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            declared.add(_normal(re.split(r"[\[<>=!~; ]", line)[0]))
    return declared


def test_every_imported_package_is_declared_in_requirements_in():
    distributions = packages_distributions()
    declared = _declared()
    missing = {}
    for name in sorted(_imported_top_level_names()):
        dists = {_normal(d) for d in distributions.get(name, [name])}
        if not dists & declared:
            missing[name] = sorted(dists)
    assert missing == {}, "imported but not declared in requirements.in (then `make requirements`)"


def _pins(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s#]+)", line):
            pins[_normal(match.group(1))] = match.group(2)
    return pins


def test_the_dev_pins_hold_every_runtime_pin_at_the_same_version():
    """`make install` installs requirements-dev.txt alone: a runtime pin missing there is missing in CI."""
    runtime, dev = _pins("requirements.txt"), _pins("requirements-dev.txt")
    assert {name: version for name, version in runtime.items() if dev.get(name) != version} == {}
