"""Checking a reference-data workbook before anything is written: every row read into a record, every
name it refers to found in the file or the database, and every rule of the organisation kept (units'
hierarchy acyclic, the office never leads, handlers and leaders in a unit, roles fixed once created).
The records refer to units by their full names."""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from supervise.extensions import db
from supervise.models import UNIT_ROLES, Area, Category, LimitClass, Role, Unit, UnitKind, User
from supervise.operations.reference.cells import Cells
from supervise.operations.reference.sheets import KINDS, LIMIT_CLASSES, ROLES, Row, RowError


@dataclass
class UnitRecord:
    row: int
    name: str
    short_name: str | None
    kind: UnitKind
    parent: str | None
    active: bool
    sort: int


@dataclass
class AreaRecord:
    row: int
    name: str
    active: bool
    sort: int


@dataclass
class CategoryRecord:
    row: int
    area: str  # "" for a top-level area
    name: str
    limit_class: LimitClass
    lead: str | None
    co_units: list[str]
    questions: str
    description: str
    active: bool
    sort: int


@dataclass
class RuleRecord:
    row: int
    area: str
    category: str
    street: str | None
    lead: str
    note: str


@dataclass
class UserRecord:
    row: int
    username: str
    name: str
    role: Role
    unit: str | None
    mobile: str | None
    email: str | None
    active: bool


@dataclass
class Plan:
    units: list[UnitRecord] = field(default_factory=list)
    areas: list[AreaRecord] = field(default_factory=list)
    categories: list[CategoryRecord] = field(default_factory=list)
    rules: list[RuleRecord] = field(default_factory=list)
    users: list[UserRecord] = field(default_factory=list)


def _unique(cells: Cells, rows: list[Row], key_of, column: str) -> list[Row]:
    """The rows whose natural key is new in the sheet; a repeated key is an error on the later row."""
    first: dict = {}
    kept = []
    for row in rows:
        key = key_of(row)
        if key in first:
            cells.error(row, column, _l("Listed already in row %(row)d.", row=first[key]))
        else:
            first[key] = row.number
            kept.append(row)
    return kept


class Checker:
    """Reads the rows of every sheet into a :class:`Plan`, collecting row errors."""

    def __init__(self, actor: User | None, errors: list[RowError]):
        self.actor = actor
        self.cells = Cells(errors)
        self.plan = Plan()
        units = db.session.scalars(select(Unit)).all()
        by_id = {u.id: u for u in units}
        # The organisation as it will be: full name -> (kind, active, parent's name); the file's rows win.
        self.units = {u.name: (u.kind, u.active, by_id[u.parent_id].name if u.parent_id else None) for u in units}
        self.short_names = {u.name: u.short_name for u in units}
        self.streets = set(db.session.scalars(select(Area.name)))
        categories = db.session.scalars(select(Category)).all()
        names = {c.id: c.name for c in categories}
        self.categories = {(names.get(c.parent_id, ""), c.name) for c in categories}

    def check(self, rows: dict[str, list[Row]]) -> Plan:
        c = self.cells
        self._units(_unique(c, rows["units"], lambda r: r.get("name"), "name"))
        self._areas(_unique(c, rows["areas"], lambda r: r.get("name"), "name"))
        self._categories(_unique(c, rows["categories"], lambda r: (r.get("area"), r.get("name")), "name"))
        self._rules(
            _unique(c, rows["rules"], lambda r: (r.get("area"), r.get("category"), r.get("street")), "category")
        )
        self._users(_unique(c, rows["users"], lambda r: r.get("username"), "username"))
        return self.plan

    # ------------------------------------------------------------------ units

    def _units(self, rows: list[Row]) -> None:
        c = self.cells
        for row in rows:
            record = UnitRecord(
                row=row.number,
                name=c.text(row, "name", 100),
                short_name=c.text(row, "short_name", 40) or None,
                kind=c.choice(row, "kind", KINDS, UnitKind.DEPARTMENT),
                parent=row.get("parent") or None,
                active=c.flag(row, "active"),
                sort=c.number(row, "sort"),
            )
            self.plan.units.append(record)
            self.units[record.name] = (record.kind, record.active, None)
            self.short_names[record.name] = record.short_name
        for record, row in zip(self.plan.units, rows, strict=True):
            record.parent = self.unit(row, "parent", record.parent)
            self.units[record.name] = (record.kind, record.active, record.parent)
        for record, row in zip(self.plan.units, rows, strict=True):
            if self._in_cycle(record.name):
                c.error(row, "parent", _l("A unit cannot be placed under itself or one of its own sub-units."))

    def _in_cycle(self, name: str) -> bool:
        """Whether ``name`` is its own ancestor (a cycle above it is reported on its own rows)."""
        seen = set()
        parent = self.units[name][2]
        while parent is not None and parent not in seen:
            if parent == name:
                return True
            seen.add(parent)
            parent = self.units.get(parent, (None, None, None))[2]
        return False

    def unit(self, row: Row, key: str, text: str | None) -> str | None:
        """The full name of the unit ``text`` names (its name or short name); an error when none or
        several do."""
        if not text:
            return None
        if text in self.units:
            return text
        named = [name for name, short in self.short_names.items() if short == text]
        if len(named) == 1:
            return named[0]
        if named:
            self.cells.error(
                row, key, _l("Several units have the short name %(name)s: write the full name.", name=text)
            )
        else:
            self.cells.error(row, key, _l("No unit has the name or short name %(name)s.", name=text))
        return None

    def lead(self, row: Row, key: str, text: str | None, active_only: bool) -> str | None:
        """A unit that may lead on tickets: never the office (and, for a rule, an active unit)."""
        name = self.unit(row, key, text)
        if name is None:
            return None
        kind, active = self.units[name][:2]
        if kind == UnitKind.OFFICE or (active_only and not active):
            self.cells.error(
                row, key, _l("%(name)s does not lead on tickets (the office, or an inactive unit).", name=name)
            )
        return name

    # ------------------------------------------------------------------ areas and categories

    def _areas(self, rows: list[Row]) -> None:
        c = self.cells
        for row in rows:
            record = AreaRecord(row.number, c.text(row, "name", 60), c.flag(row, "active"), c.number(row, "sort"))
            self.plan.areas.append(record)
            self.streets.add(record.name)

    def _categories(self, rows: list[Row]) -> None:
        c = self.cells
        for row in rows:
            self.categories.add((row.get("area"), row.get("name")))
        for row in rows:
            area = c.text(row, "area", 60)
            if area and ("", area) not in self.categories:
                c.error(row, "area", _l("No top-level area is named %(name)s.", name=area))
            record = CategoryRecord(
                row=row.number,
                area=area,
                name=c.text(row, "name", 60),
                limit_class=c.choice(row, "limit_class", LIMIT_CLASSES, LimitClass.STANDARD),
                lead=self.lead(row, "lead", row.get("lead"), active_only=False),
                co_units=[n for n in (self.unit(row, "co_units", t) for t in c.names(row, "co_units")) if n],
                questions=c.text(row, "questions", 4000),
                description=c.text(row, "description", 4000),
                active=c.flag(row, "active"),
                sort=c.number(row, "sort"),
            )
            self.plan.categories.append(record)

    def _rules(self, rows: list[Row]) -> None:
        c = self.cells
        for row in rows:
            area, category = c.text(row, "area", 60), c.text(row, "category", 60)
            if area and category and (area, category) not in self.categories:
                c.error(row, "category", _l("There is no category %(name)s under %(area)s.", name=category, area=area))
            street = c.text(row, "street", 60) or None
            if street and street not in self.streets:
                c.error(row, "street", _l("No street or town is named %(name)s.", name=street))
            lead = self.lead(row, "lead", c.text(row, "lead", 100), active_only=True)
            note = c.text(row, "note", 200)
            self.plan.rules.append(RuleRecord(row.number, area, category, street, lead or "", note))

    # ------------------------------------------------------------------ users

    def _users(self, rows: list[Row]) -> None:
        c = self.cells
        for row in rows:
            record = UserRecord(
                row=row.number,
                username=c.username(row, "username"),
                name=c.text(row, "name", 60),
                role=c.choice(row, "role", ROLES),
                unit=self.unit(row, "unit", row.get("unit")),
                mobile=c.mobile(row, "mobile"),
                email=c.email(row, "email"),
                active=c.flag(row, "active"),
            )
            if record.role in UNIT_ROLES and not record.unit and not row.get("unit"):
                c.error(row, "unit", _l("Unit handlers and leaders must belong to a unit."))
            self._existing_user(row, record)
            self.plan.users.append(record)

    def _existing_user(self, row: Row, record: UserRecord) -> None:
        user = User.by_username(record.username) if record.username else None
        if user is None:
            return
        if user.role == Role.ENTERPRISE:
            self.cells.error(row, "username", _l("This username belongs to an enterprise account."))
        elif record.role is not None and user.role != record.role:
            self.cells.error(
                row,
                "role",
                _l("The role of an existing account does not change (it is %(role)s).", role=ROLES[user.role]),
            )
        if self.actor is not None and user.id == self.actor.id and not record.active:
            self.cells.error(row, "active", _l("You cannot deactivate your own account."))
