"""The message catalogues are complete: the template lists exactly the strings the code marks, and the
Chinese catalogue translates every one of them, none left fuzzy (``make messages`` and a translator
fix a failure here)."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "supervise" / "translations"


def _catalogue(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def _msgids(catalogue) -> set:
    return {message.id for message in catalogue if message.id}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The template as ``make messages`` would write it from the code now."""
    out = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "--no-wrap",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(out),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return _catalogue(out)


def test_the_template_is_current_with_the_code(extracted):
    template = _msgids(_catalogue(TRANSLATIONS / "messages.pot"))
    code = _msgids(extracted)
    assert sorted(code - template, key=str) == [], "strings marked in the code but not in messages.pot: make messages"
    assert sorted(template - code, key=str) == [], "messages.pot lists strings the code no longer has: make messages"


def test_the_chinese_catalogue_translates_every_string_without_fuzzy_entries():
    template = _msgids(_catalogue(TRANSLATIONS / "messages.pot"))
    zh = _catalogue(TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po")
    assert sorted(template - _msgids(zh), key=str) == [], "strings missing from the zh catalogue: make messages"
    fuzzy = [m.id for m in zh if m.id and m.fuzzy]
    assert fuzzy == [], "fuzzy entries in the zh catalogue"
    untranslated = [m.id for m in zh if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    assert untranslated == [], "untranslated entries in the zh catalogue"
