"""Saving a unit of the organisation (an administrator's form)."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from supervise.domain import reference
from supervise.extensions import db
from supervise.models import Unit, UnitKind, User
from supervise.operations import OperationError


@dataclass
class UnitDetails:
    """What an administrator sets on a unit."""

    name: str
    kind: UnitKind
    short_name: str | None = None
    parent_id: int | None = None
    active: bool = True
    sort: int = 0


def save_unit(actor: User | None, unit: Unit, details: UnitDetails) -> bool:
    """Copy ``details`` onto ``unit`` (a new one is added to the session). Returns True when the name
    changed, so that the caller reindexes the unit's tickets after commit. Raises
    :class:`OperationError` on ``name`` when another unit has that name."""
    name = details.name.strip()
    taken = select(Unit.id).where(Unit.name == name)
    if unit.id is not None:
        taken = taken.where(Unit.id != unit.id)
    if db.session.scalar(taken) is not None:
        raise OperationError(_l("Another unit already has this name."), field="name")
    renamed = unit.id is not None and unit.name != name
    unit.name = name
    unit.short_name = (details.short_name or "").strip() or None
    unit.kind = details.kind
    unit.parent_id = details.parent_id or None
    unit.active = details.active
    unit.sort = details.sort
    if unit.id is None:
        db.session.add(unit)
    reference.changed()
    return renamed
