"""Reference data and demo data, modelled on Xiangyang High-tech Zone (襄阳高新区).

``load_reference()`` adds what every installation starts from: units, areas, categories with their
routing and the working-day calendar, and no account at all (production creates its own with
``flask create-user``). ``load_demo()`` adds the demo's staff accounts (one password for all, printed
by ``flask seed``), enterprises and a year of complaints, each moved through the state machine
(``workflow.perform``) at plausible moments, so that every state, warning and public page has something
to show. Neither commits.

The demo is deterministic (``random.Random(2026)``) apart from the retrieval codes and the dates,
which are laid out backwards from today: no step is ever in the future.

- :mod:`.reference`: units, areas, categories, routing, calendar;
- :mod:`.accounts`: the demo's staff accounts and logins;
- :mod:`.demo`: the demo run: :mod:`.companies` (enterprises and their accounts), :mod:`.plans`
  (each scenario's steps), :mod:`.timing` (when each step happens), :mod:`.texts` (what is said),
  then every plan replayed through the state machine.
"""

from supervise.seed.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, SEED, demo_logins, load_staff, unit_logins
from supervise.seed.demo import load_demo
from supervise.seed.reference import load_reference

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_PASSWORD",
    "SEED",
    "demo_logins",
    "load_demo",
    "load_reference",
    "load_staff",
    "unit_logins",
]
