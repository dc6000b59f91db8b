"""Writing in a reader's language: the one way the platform switches Flask-Babel's locale for a message."""

from functools import lru_cache

from babel import Locale
from flask_babel import force_locale


@lru_cache(maxsize=64)
def _parsed(name: str) -> Locale:
    return Locale.parse(name)


def speaking(name: str):
    """Flask-Babel's ``force_locale`` with the locale parsed once per process.

    ``force_locale`` parses the name it is given on every call, and babel checks a name against each of
    the ~800 locales it knows: about a third of a millisecond each time, a dozen times per filed
    complaint (one per recipient and message). A parsed ``Locale`` is passed through as it is.
    """
    return force_locale(_parsed(str(name)))
