"""Reference data kept in each process: categories, units, areas and the working-day calendar.

Every page needs their names, and the calendar, but administrators change them rarely. Each
application (one per process) keeps one :class:`Reference`, stamped with the public generation
(:mod:`supervise.domain.public_generation`) it was read under: a change to a unit, category, area or
calendar day raises the generation in its own transaction, so the first request after the commit,
in any process, reads the new number (one primary-key read) and loads the data again. Nothing is
kept that a session is in the middle of changing: a session with pending changes, or that raised the
generation in its open transaction, reads from the database and stores nothing.

Which categories and units have a published ticket (what the public filters offer) comes from the
measure cells, which are refreshed periodically rather than at publication: it is read again after
:data:`MAX_AGE` seconds even when the generation has not moved.
"""

import time
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g, has_app_context
from sqlalchemy import select

from supervise.domain import public_generation
from supervise.domain.calendar import WorkingCalendar
from supervise.extensions import db

MAX_AGE = 60.0  # seconds; also bounds how long anything missed by the generation can stay
_KEY = "reference_cache"  # in app.extensions: the process's copy
_MEMO = "reference_memo"  # in g while a request runs: the copy this request reads


@dataclass(frozen=True)
class CategoryRef:
    id: int
    name: str
    parent_id: int | None
    full_name: str  # "area / category", as the public pages show it
    active: bool


@dataclass(frozen=True)
class UnitRef:
    id: int
    name: str
    active: bool


@dataclass(frozen=True)
class Reference:
    """The reference data as read under ``generation``; dicts in display order."""

    generation: int
    loaded: float
    categories: dict[int, CategoryRef]  # by (sort, id)
    units: dict[int, UnitRef]  # by (sort, name)
    areas: dict[int, str]
    calendar: WorkingCalendar
    published_categories: frozenset[int] = field(default_factory=frozenset)
    published_units: frozenset[int] = field(default_factory=frozenset)

    def category_name(self, category_id: int | None) -> str:
        found = self.categories.get(category_id) if category_id is not None else None
        return found.full_name if found else ""

    def unit_name(self, unit_id: int | None) -> str:
        found = self.units.get(unit_id) if unit_id is not None else None
        return found.name if found else ""

    def area_name(self, area_id: int | None) -> str:
        return self.areas.get(area_id, "") if area_id is not None else ""


def _load(generation: int) -> Reference:
    from supervise.domain.measures import reports
    from supervise.models import Area, CalendarDay, Category, Unit

    rows = db.session.execute(
        select(Category.id, Category.name, Category.parent_id, Category.active).order_by(Category.sort, Category.id)
    ).all()
    names = {r.id: r.name for r in rows}
    categories = {
        r.id: CategoryRef(
            r.id, r.name, r.parent_id, f"{names[r.parent_id]} / {r.name}" if r.parent_id in names else r.name, r.active
        )
        for r in rows
    }
    units = {
        r.id: UnitRef(r.id, r.name, r.active)
        for r in db.session.execute(select(Unit.id, Unit.name, Unit.active).order_by(Unit.sort, Unit.name))
    }
    areas = {r.id: r.name for r in db.session.execute(select(Area.id, Area.name).order_by(Area.sort, Area.id))}
    days = {r.day: r.is_workday for r in db.session.execute(select(CalendarDay.day, CalendarDay.is_workday))}
    return Reference(
        generation=generation,
        loaded=time.monotonic(),
        categories=categories,
        units=units,
        areas=areas,
        calendar=WorkingCalendar(days),
        published_categories=frozenset(reports.categories_with_published()),
        published_units=frozenset(reports.units_with_published()),
    )


def _changing() -> bool:
    """Is the session in the middle of a change that the stored copy would not show: reference rows
    not yet flushed, or the generation raised in its open transaction?"""
    from supervise.models import Area, CalendarDay, Category, Unit

    session = db.session()
    if public_generation.raised_in(session):
        return True
    kinds = (Area, CalendarDay, Category, Unit)
    return any(isinstance(obj, kinds) for pending in (session.new, session.dirty, session.deleted) for obj in pending)


def get() -> Reference:
    """The reference data now: this process's copy while the generation stands, else read anew.
    Read once per request (a request that changes reference data reads it from the database)."""
    if _changing():
        return _load(public_generation.current())
    memo = g.get(_MEMO)  # a dict while a request runs (init_app), else None: no memo
    if memo and "reference" in memo:
        return memo["reference"]
    kept: Reference | None = current_app.extensions.get(_KEY)
    generation = current_generation()  # before the data: never a new number on older data
    if kept is None or kept.generation != generation or time.monotonic() - kept.loaded >= MAX_AGE:
        kept = _load(generation)
        current_app.extensions[_KEY] = kept
    if memo is not None:
        memo["reference"] = kept
    return kept


def current_generation() -> int:
    """The public generation, read once per request (the page cache's key and this module share it);
    outside a request, and in a session that is changing reference data, read each time."""
    memo = g.get(_MEMO)
    if memo is None or _changing():
        return public_generation.current()
    if "generation" not in memo:
        memo["generation"] = public_generation.current()
    return memo["generation"]


def init_app(app: Any) -> None:
    """Offer :func:`get` and :func:`changed` to modules below this one (``calendar.load_calendar``)."""
    app.extensions["reference"] = get
    app.extensions["reference_changed"] = changed
    app.before_request(_start_memo)
    app.teardown_request(_end_memo)


def _start_memo() -> None:
    setattr(g, _MEMO, {})


def _end_memo(_error: BaseException | None = None) -> None:
    g.pop(_MEMO, None)


def forget(app: Any) -> None:
    """Forget ``app``'s copy: the next :func:`get` in it reads the database."""
    app.extensions.pop(_KEY, None)


def clear() -> None:
    """Forget this process's copy (and the request's): the next :func:`get` reads the database."""
    if has_app_context():
        forget(current_app)
        memo = g.get(_MEMO)
        if memo is not None:
            memo.clear()


def changed() -> None:
    """Reference data changed in the current transaction, possibly outside the ORM (bulk statements):
    raise the public generation with it, so that every process reloads once it commits, and forget
    this process's copy now. The administrator's operations on units, categories, areas and the
    calendar call this (ORM changes to those rows raise the generation on their own too)."""
    public_generation.bump(db.session())
    clear()
