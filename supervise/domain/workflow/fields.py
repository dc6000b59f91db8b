"""What an action accepts, declared once on its transition as :class:`Param` values.

From the one declaration come the web forms (``supervise.action_forms``) and the API's body schemas,
which both check a request and write the OpenAPI document (``supervise.api.actions``). The
declaration says the shape of each field (kind, length, range, choices) and whether the action needs
it; what a value means for the ticket stays with the transition's effect.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

TEXT = "text"  # one line
TEXTAREA = "textarea"  # several lines
CHOICE = "choice"  # one of ``choices``
DATE = "date"
INT = "int"
BOOL = "bool"
UNIT = "unit"  # the id of a unit that handles tickets
UNITS = "units"  # ids of units that handle tickets (the co-handling units)
KINDS = frozenset({TEXT, TEXTAREA, CHOICE, DATE, INT, BOOL, UNIT, UNITS})

#: The years a date given to an action may fall in.
DATE_YEARS = (2000, 2099)
NOTE_MAX = 2000  # a supervisor's note
TEXT_MAX = 5000  # a unit's texts, the public texts, the enterprise's material


@dataclass(frozen=True)
class Param:
    """One field an action accepts, under the key the transition's effect reads.

    ``required``: the action is refused without it, with ``message`` (which is also the message for a
    value the effect cannot use). ``label`` and ``description`` are for the web form, ``doc`` for the
    API's reference (English, for programmers). ``choices`` is a dict of value -> label, or a callable
    returning one (read when a form is drawn). ``radio`` draws a choice or a yes/no as radio buttons.
    """

    name: str
    kind: str
    label: Any = None
    required: bool = False
    message: Any = None
    max_length: int | None = None
    min: int | None = None
    max: int | None = None
    choices: Mapping | Callable[[], Mapping] | None = None
    description: Any = None
    doc: str = ""
    nullable: bool = False
    radio: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r} of {self.name}")
        if self.required and self.message is None:
            raise ValueError(f"{self.name} is required: say what the user is told without it")
        if self.kind in (TEXT, TEXTAREA) and self.max_length is None:
            raise ValueError(f"{self.name}: a text needs its max_length")

    def options(self) -> dict:
        """The choices as a dict (called now if declared as a callable)."""
        found = self.choices() if callable(self.choices) else self.choices
        return dict(found or {})
