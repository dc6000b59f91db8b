"""Reference data and demo data, modelled on Xiangyang High-tech Zone (襄阳高新区).

``load_reference()`` adds what every installation starts from: units, areas, categories with their
routing and the working-day calendar, and no account at all (production creates its own with
``flask create-user``). ``load_demo()`` adds the demo's staff accounts (one password for all, printed
by ``flask seed``), enterprises and a year of complaints, each moved through the state machine
(``workflow.perform``) at plausible moments, so that every state, warning and public page has something
to show. Neither commits.

The demo is deterministic (``random.Random(2026)``) apart from the retrieval codes and the dates,
which are laid out backwards from today: no step is ever in the future.
"""

import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.security import generate_password_hash

from supervise import seed_data as D
from supervise import storage
from supervise.domain import credit_code, notify, routing, verification, workflow
from supervise.domain.calendar import load_calendar
from supervise.domain.calendar_admin import sync_from_package
from supervise.domain.clock import now as clock_now
from supervise.domain.disclosure import terms_for
from supervise.domain.intake import Complaint, file_complaint
from supervise.domain.redaction import redact
from supervise.extensions import db
from supervise.models import (
    Area,
    Category,
    Enterprise,
    LiaisonPair,
    Role,
    Source,
    Ticket,
    Unit,
    UnitKind,
    User,
)

DEMO_PASSWORD = "Demo-2026-pass"
# The demo applicant's "business licence": a one-page PDF.
DEMO_LICENCE = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
                b"trailer<</Root 1 0 R>>\n%%EOF\n")
SEED = 2026

# The accounts printed after seeding: one per role.
DEMO_ACCOUNTS = [
    (Role.ADMIN, "admin"), (Role.SUPERVISOR, "supervisor"), (Role.HANDLER, "edu_handler"),
    (Role.LEADER, "edu_leader"), (Role.CADRE, "cadre1"), (Role.ENTERPRISE, "ent01"),
]
# How the demo tickets end up: (scenario, share). Every scenario appears at least once.
SCENARIOS = [
    ("closed", 0.55), ("closed_reopened", 0.03), ("closed_upheld", 0.025), ("closed_unrated", 0.035),
    ("declined", 0.05), ("merged", 0.02), ("submitted", 0.025), ("awaiting_dispatch", 0.02),
    ("dispatched", 0.03), ("returned", 0.015), ("in_progress", 0.07), ("in_progress_overdue", 0.04),
    ("awaiting_material", 0.02), ("replied", 0.025), ("awaiting_rating", 0.03), ("rating_review", 0.015),
]
FINAL_SCENARIOS = {"closed", "closed_reopened", "closed_upheld", "closed_unrated", "declined"}
SOURCE_WEIGHTS = {
    Source.ONLINE: 45, Source.HOTLINE: 12, Source.HALL: 8, Source.VISIT: 12, Source.CAMPAIGN: 10,
    Source.PROVINCIAL: 3, Source.SELF_INSPECTION: 4, Source.MEDIA: 3, Source.API: 3,
}
RATING_WORDS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
WORK_START = time(8, 30)


def _shared_hash() -> str:
    """One hash for every demo account: scrypt is slow on purpose, so hash the password once."""
    return generate_password_hash(DEMO_PASSWORD, current_app.config["PASSWORD_HASH_METHOD"])


def _user(username: str, name: str, role: Role, password_hash: str, created_at: datetime, unit: Unit | None = None,
          enterprise: Enterprise | None = None, mobile: str | None = None, email: str | None = None) -> User:
    user = User(username=username, name=name, role=role, unit=unit, enterprise=enterprise, mobile=mobile,
                email=email, password_hash=password_hash, created_at=created_at)
    if role == Role.ENTERPRISE:
        verification.verify_by_staff(user)
        user.verified_at = created_at
    db.session.add(user)
    return user


class _Names:
    """Unique, plausible personal names drawn from ``rng``."""

    def __init__(self, rng: random.Random, taken: set[str] | None = None):
        self.rng = rng
        self.taken = set(taken or ())

    def __call__(self) -> str:
        while True:
            name = self.rng.choice(D.SURNAMES) + self.rng.choice(D.GIVEN_NAMES)
            if name not in self.taken:
                self.taken.add(name)
                return name


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


# ---------------------------------------------------------------- reference data


def load_reference() -> None:
    """Units, areas, categories, routing rules and the calendar (last, this and next year): no account."""
    year = clock_now().year
    sync_from_package([year - 1, year, year + 1])
    since = clock_now() - timedelta(days=400)

    units: dict[str, Unit] = {}
    for sort, (slug, name, short, kind, parent) in enumerate(D.UNITS):
        units[slug] = Unit(name=name, short_name=short, kind=kind, parent=units.get(parent), sort=sort)
        db.session.add(units[slug])
        db.session.flush()  # ids in the listed order
    areas = {name: Area(name=name, sort=sort) for sort, (name, _) in enumerate(D.AREAS)}
    db.session.add_all(areas.values())

    tops = {name: Category(name=name, description=text, sort=sort) for sort, (name, text) in enumerate(D.TOP_AREAS)}
    db.session.add_all(tops.values())
    categories: dict[str, Category] = {}
    for sort, spec in enumerate(D.CATEGORIES):
        category = Category(
            name=spec["name"], parent=tops[spec["area"]], description=spec["description"],
            default_lead_unit=units[spec["lead"]] if spec["lead"] else None, limit_class=spec["limit"],
            intake_questions="\n".join(q for q, _ in spec["questions"]), sort=sort)
        category.co_units = [units[slug] for slug in spec["co"]]
        categories[spec["name"]] = category
    db.session.add_all(categories.values())
    db.session.flush()

    # Rules loaded at installation have no author.
    for category, slug, note in D.CATEGORY_RULES:
        rule = routing.add_rule(categories[category], units[slug], None, None, note)
        rule.created_at = since
    for category, area, slug, note in D.AREA_RULES:
        rule = routing.add_rule(categories[category], units[slug], areas[area].id, None, note)
        rule.created_at = since
    db.session.flush()


def load_staff() -> None:
    """The demo's staff accounts, all with :data:`DEMO_PASSWORD`: an administrator, two supervisors,
    a handler and a leader in every unit, the liaison cadres. Demo and benchmark data only."""
    rng = random.Random(SEED)
    since = clock_now() - timedelta(days=400)
    by_name = {u.name: u for u in db.session.scalars(select(Unit))}
    units = {slug: by_name[name] for slug, name, *_ in D.UNITS}
    password_hash = _shared_hash()
    names = _Names(rng)
    _user("admin", "系统管理员", Role.ADMIN, password_hash, since, email="admin@xygxq.example")
    for username in ("supervisor", "supervisor2"):
        _user(username, names(), Role.SUPERVISOR, password_hash, since, unit=units["office"], mobile=_mobile(rng),
              email=f"{username}@xygxq.example")
    for slug, _, _, kind, _ in D.UNITS:
        if kind == UnitKind.OFFICE:
            continue
        for role in (Role.HANDLER, Role.LEADER):
            username = f"{slug}_{role.value}"
            _user(username, names(), role, password_hash, since, unit=units[slug], mobile=_mobile(rng),
                  email=f"{username}@xygxq.example")
    for username, _ in D.CADRES:
        _user(username, names(), Role.CADRE, password_hash, since, mobile=_mobile(rng),
              email=f"{username}@xygxq.example")
    db.session.flush()


# ---------------------------------------------------------------- demo data


def load_demo(tickets: int = 360) -> list[tuple[str, str, str]]:
    """Staff accounts (:func:`load_staff`), enterprises, liaison pairs, enterprise accounts and
    ``tickets`` complaints over the past year, on top of :func:`load_reference`.

    Notifications are muted while the history is replayed: nobody is told about last year's events.
    Returns the demo logins, as :func:`demo_logins`.
    """
    from supervise.domain import supervision
    from supervise.domain.measures import cells

    load_staff()
    with notify.suppressed():
        demo = _Demo(random.Random(SEED))
        demo.add_enterprises()
        demo.add_tickets(tickets)
        demo.add_pending_registration()
        supervision.refresh_overdue_flags(demo.now)
    db.session.flush()
    cells.refresh_all(demo.now)  # the statistics pages read these cells
    return demo_logins()


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, username, name) of one demo account per role, as found in the database."""
    logins = []
    for role, username in DEMO_ACCOUNTS:
        user = User.by_username(username)
        if user is None or user.role != role:
            user = db.session.scalar(select(User).where(User.role == role, User.active).order_by(User.id).limit(1))
        if user is not None:
            logins.append((role.value, user.username, user.name))
    return logins


@dataclass
class _Step:
    action: str
    actor: str  # supervisor | handler | leader | co_handler | enterprise | system
    wd: int  # working days after the previous step (calendar days for the enterprise); 0: later that day
    frac: float  # where in the day (or how much later) it happens
    kind: str = "staff"  # staff | enterprise | after_rate_due
    data: dict | Callable[[Ticket, datetime], dict] = field(default_factory=dict)
    at: datetime | None = None


@dataclass
class _Plan:
    scenario: str
    source: Source
    enterprise: Enterprise
    category: Category
    supervisor: User
    template: tuple[str, str]
    steps: list[_Step] = field(default_factory=list)
    idle: int = 0  # working days from the last step to today (open tickets)
    idle_calendar: bool = False
    consent: bool = True
    start_frac: float = 0.5
    created_at: datetime | None = None
    facts: dict = field(default_factory=dict)
    decline: tuple | None = None
    target: "_Plan | None" = None  # merged tickets: the ticket they are merged into
    ticket: Ticket | None = None


class _Demo:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.now = clock_now()
        self.today = self.now.date()
        self.cal = load_calendar()
        by_name = {u.name: u for u in db.session.scalars(select(Unit))}
        self.units = {slug: by_name[name] for slug, name, *_ in D.UNITS}
        self.areas = {a.name: a for a in db.session.scalars(select(Area))}
        self.street_of = {self.areas[area].id: self.units[slug] for area, slug in D.AREAS}
        concrete = select(Category).where(Category.parent_id.is_not(None))
        self.categories = {c.name: c for c in db.session.scalars(concrete)}
        self.specs = {spec["name"]: spec for spec in D.CATEGORIES}
        users = {u.username: u for u in db.session.scalars(select(User))}
        self.users = users
        self.supervisors = [users["supervisor"], users["supervisor2"]]
        self.handlers = {u.unit_id: u for u in users.values() if u.role == Role.HANDLER}
        self.leaders = {u.unit_id: u for u in users.values() if u.role == Role.LEADER}
        self.names = _Names(rng, {u.name for u in users.values()})
        self.enterprises: list[Enterprise] = []
        self.filers: dict[int, list[User]] = {}  # enterprise id -> its accounts
        self.cadre_of: dict[int, User] = {}
        self.password_hash = _shared_hash()

    # ------------------------------------------------------------ enterprises

    def add_enterprises(self) -> None:
        rng, codes = self.rng, set()
        since = self.now - timedelta(days=420)
        accounts: list[tuple[int, User]] = []
        for number, (name, alias, industry, area) in enumerate(D.ENTERPRISES, 1):
            while True:
                first17 = "91420600MA4" + "".join(rng.choice(credit_code.ALPHABET) for _ in range(6))
                code = first17 + credit_code.check_character(first17)
                if code not in codes:
                    codes.add(code)
                    break
            enterprise = Enterprise(
                name=name, credit_code=code, industry=industry, contact_name=self.names(), contact_on_record=True,
                contact_mobile=_mobile(rng), email=f"contact{number:02d}@example.com" if rng.random() < 0.6 else None,
                address=f"襄阳市高新区{rng.choice(D.ROADS)}{rng.randint(1, 300)}号", area=self.areas[area],
                aliases=alias, created_at=since + timedelta(days=rng.randint(0, 40), hours=rng.randint(8, 17)))
            db.session.add(enterprise)
            self.enterprises.append(enterprise)
            if number <= D.ENTERPRISES_WITH_USERS:
                accounts.append((number, _user(
                    f"ent{number:02d}", enterprise.contact_name, Role.ENTERPRISE, self.password_hash,
                    enterprise.created_at, enterprise=enterprise, mobile=enterprise.contact_mobile,
                    email=enterprise.email)))
            if number in D.SECOND_USERS:
                accounts.append((number, _user(
                    f"ent{number:02d}b", self.names(), Role.ENTERPRISE, self.password_hash,
                    enterprise.created_at + timedelta(days=3), enterprise=enterprise, mobile=_mobile(rng))))
        db.session.flush()
        for number, user in accounts:
            self.filers.setdefault(self.enterprises[number - 1].id, []).append(user)
        for username, numbers in D.CADRES:
            cadre = self.users[username]
            for number in numbers:
                enterprise = self.enterprises[number - 1]
                db.session.add(LiaisonPair(cadre_id=cadre.id, enterprise_id=enterprise.id,
                                           created_at=enterprise.created_at + timedelta(days=7)))
                self.cadre_of.setdefault(enterprise.id, cadre)
        db.session.flush()

    def add_pending_registration(self) -> None:
        """A company that registered itself and uploaded its licence: the console's queue shows it."""
        name, industry, area, username = D.PENDING_REGISTRATION
        first17 = "91420600MA4" + "".join(self.rng.choice(credit_code.ALPHABET) for _ in range(6))
        at = self.now - timedelta(days=1)
        enterprise = Enterprise(name=name, credit_code=first17 + credit_code.check_character(first17),
                                industry=industry, contact_name=self.names(), contact_mobile=_mobile(self.rng),
                                area=self.areas[area], contact_on_record=False, created_at=at)
        applicant = User(username=username, name=enterprise.contact_name, role=Role.ENTERPRISE, enterprise=enterprise,
                         mobile=enterprise.contact_mobile, password_hash=self.password_hash,
                         created_at=at)
        db.session.add_all([enterprise, applicant])
        db.session.flush()
        licence = FileStorage(io.BytesIO(DEMO_LICENCE), filename="营业执照.pdf")
        review = verification.submit_licence(applicant, storage.check_upload(licence, storage.LICENCE_TYPES))
        review.submitted_at = at + timedelta(minutes=10)

    def enterprise_actor(self, enterprise_id: int) -> User:
        """Who answers for the enterprise on its tickets: its first account, else its liaison cadre."""
        accounts = self.filers.get(enterprise_id)
        return accounts[0] if accounts else self.cadre_of[enterprise_id]

    # ------------------------------------------------------------ planning

    def add_tickets(self, count: int) -> None:
        rng = self.rng
        scenarios = self._allocate(count)
        sources = list(Source) + rng.choices(list(SOURCE_WEIGHTS), weights=list(SOURCE_WEIGHTS.values()),
                                             k=max(0, len(scenarios) - len(Source)))
        rng.shuffle(sources)
        plans: list[_Plan] = []
        favoured: set[str] = set()
        for scenario, source in zip(scenarios, sources, strict=True):
            if scenario == "merged":
                continue
            plan = self._plan(scenario, source, favoured)
            self._fit(plan)
            self._fill_texts(plan)
            plans.append(plan)
        targets = [p for p in plans if p.scenario in ("in_progress", "in_progress_overdue")]
        merged = [self._merged_plan(rng.choice(targets), source)
                  for scenario, source in zip(scenarios, sources, strict=True) if scenario == "merged"]
        plans += merged
        for plan in sorted(plans, key=lambda p: p.created_at):
            self._run(plan)
        for plan in merged:
            self._merge(plan)

    def _allocate(self, count: int) -> list[str]:
        counts = {name: max(1, round(share * count)) for name, share in SCENARIOS}
        counts["closed"] = max(1, counts["closed"] + count - sum(counts.values()))
        scenarios = [name for name, n in counts.items() for _ in range(n)]
        self.rng.shuffle(scenarios)
        return scenarios

    def _pick_enterprise(self, source: Source) -> Enterprise:
        rng = self.rng
        if source == Source.VISIT:
            return self._by_id(rng.choice(sorted(self.cadre_of)))
        weights = [3 if i == 0 else 2 if i < D.ENTERPRISES_WITH_USERS else 1 for i in range(len(self.enterprises))]
        return rng.choices(self.enterprises, weights=weights)[0]

    def _by_id(self, enterprise_id: int) -> Enterprise:
        return next(e for e in self.enterprises if e.id == enterprise_id)

    def _queue_category(self, category: Category) -> bool:
        ruled = {name for name, *_ in D.CATEGORY_RULES}
        return self.specs[category.name]["lead"] is None and category.name not in ruled

    def _plan(self, scenario: str, source: Source, favoured: set[str]) -> _Plan:
        rng = self.rng
        enterprise = self._pick_enterprise(source)
        names = list(self.categories)
        weights = [self.specs[n]["weight"] for n in names]
        category = self.categories[rng.choices(names, weights=weights)[0]]
        if scenario == "awaiting_dispatch":
            category = self.categories[rng.choice(["其他问题", "招商承诺"])]
        # The demo's enterprise and handler accounts find something to act on.
        if scenario in ("awaiting_rating", "awaiting_material", "rating_review") and scenario not in favoured:
            favoured.add(scenario)
            enterprise, source = self.enterprises[0], Source.ONLINE
        if scenario in ("dispatched", "in_progress", "replied") and scenario not in favoured:
            favoured.add(scenario)
            category = self.categories["子女入学"]
        decline = None
        if scenario == "declined":
            decline = rng.choice(D.DECLINED)
            category = self.categories[decline[0]]
        plan = _Plan(scenario=scenario, source=source, enterprise=enterprise, category=category,
                     supervisor=rng.choice(self.supervisors), template=rng.choice(D.TEMPLATES[category.name]),
                     consent=rng.random() >= 0.1, start_frac=rng.random(), decline=decline)
        self._steps(plan)
        return plan

    def _step(self, action: str, actor: str, wd: int = 0, kind: str = "staff", data=None) -> _Step:
        return _Step(action, actor, wd, self.rng.random(), kind, data if data is not None else {})

    def _steps(self, plan: _Plan) -> None:
        """The steps of ``plan``'s scenario, with the working days between them."""
        rng, s, steps = self.rng, self._step, plan.steps
        scenario = plan.scenario
        if scenario == "submitted":
            plan.idle = rng.choice([0, 0, 1, 1, 3])
            return
        if scenario == "declined":
            steps.append(s("decline", "supervisor", rng.choice([0, 1, 1, 2]),
                           data={"reason": plan.decline[3], "note": plan.decline[4]}))
            return
        publish = plan.consent and rng.random() < (0.85 if scenario in FINAL_SCENARIOS else 0.5)
        spec = self.specs[plan.category.name]
        handle_days = {"simple": 5, "standard": 15, "complex": 30}[spec["limit"].value]

        accept = {"note": rng.choice(D.ACCEPT_NOTES)}
        area_ruled = {(c, a) for c, a, *_ in D.AREA_RULES}
        chosen = D.ACCEPT_TO.get(plan.template[0])
        if chosen and (plan.category.name, plan.enterprise.area.name) not in area_ruled:
            accept = {"unit_id": self.units[chosen].id, "note": "按报装类型转相关单位办理。"}
        steps.append(s("accept", "supervisor", rng.choice([0, 0, 1, 1, 1, 2, 3]), data=accept))
        if scenario == "awaiting_dispatch":
            plan.idle = rng.choice([0, 1, 2])
            return
        alternatives = self._alternatives(plan)
        if self._queue_category(plan.category):
            steps.append(s("dispatch", "supervisor", rng.choice([0, 1]),
                           data=lambda t, at, alt=alternatives: {"unit_id": self._other_unit(t, alt).id}))
        if publish:
            if "{officer}" in plan.template[1]:
                steps.append(s("add_redaction_term", "supervisor", 0,
                               data=lambda t, at, p=plan: {"term": p.facts["officer"]}))
            steps.append(s("publish", "supervisor", rng.choice([0, 1, 2]),
                           data=lambda t, at, p=plan: self._public(p, t)))
        if scenario == "dispatched":
            plan.idle = rng.choice([0, 0, 1, 2, 3])
            return
        returned = scenario == "returned" or (scenario in FINAL_SCENARIOS and rng.random() < 0.07)
        if returned:
            reason, basis = rng.choice(D.RETURNS)
            steps.append(s("return", "handler", rng.choice([0, 1]), data={"reason": reason, "basis": basis}))
            if scenario == "returned":
                plan.idle = rng.choice([0, 1])
                return
            if rng.random() < 0.6:
                steps.append(s("dispatch", "supervisor", rng.choice([0, 1]),
                               data=lambda t, at, alt=alternatives: {"unit_id": self._other_unit(t, alt).id,
                                                                     "note": "改派至职责单位办理。"}))
            else:
                steps.append(s("reject_return", "supervisor", rng.choice([0, 1]),
                               data={"note": rng.choice(D.REJECT_RETURN_NOTES)}))
        steps.append(s("sign", "handler", rng.choice([0, 0, 0, 1, 1, 1, 2])))

        gap = max(1, handle_days // 5)  # working days between two steps while handling
        groups = [[s("note", rng.choice(["handler", "handler", "co_handler"]), rng.randint(1, gap),
                     data=self._note_data())] for _ in range(rng.choice([0, 1, 1, 2, 3]))]
        if scenario == "in_progress":
            if rng.random() < 0.3:
                groups.append(self._extension(None, gap))
            if rng.random() < 0.3:
                groups.append(self._order(rng.random() < 0.5, gap))
        elif scenario == "in_progress_overdue":
            if rng.random() < 0.7:
                groups.append(self._order(rng.random() < 0.5, gap))
            if rng.random() < 0.25:
                groups.append(self._extension(False, gap))
        elif scenario == "awaiting_material":
            groups = groups[:1]
        else:
            if rng.random() < 0.10:
                groups.append(self._material(gap))
            if rng.random() < 0.08:
                groups.append(self._extension(rng.random() < 0.7, gap))
            if rng.random() < 0.08:
                groups.append(self._order(True, gap))
        rng.shuffle(groups)
        # Working days from signing to the reply (or, for open tickets, to today); most are on time.
        if scenario == "in_progress_overdue":
            budget, on_time = handle_days + rng.randint(1, 10), False
        elif scenario == "in_progress" and rng.random() < 0.3:
            budget, on_time = handle_days - rng.randint(0, 2), True  # due within two working days: yellow
        elif scenario == "in_progress":
            budget, on_time = rng.randint(2, max(3, handle_days - 3)), True
        elif rng.random() < 0.12:
            budget, on_time = handle_days + rng.randint(1, 8), False
        else:
            budget, on_time = rng.randint(max(2, handle_days // 5), max(3, int(handle_days * 0.85))), True
        clock_start = max(i for i, step in enumerate(steps) if step.action in ("accept", "dispatch"))
        elapsed = sum(step.wd for step in steps[clock_start + 1:])  # the handling clock runs from dispatch
        while on_time and groups and elapsed + sum(step.wd for group in groups for step in group) >= budget:
            groups.pop()
        steps.extend(step for group in groups for step in group)
        elapsed += sum(step.wd for group in groups for step in group)

        if scenario in ("in_progress", "in_progress_overdue"):
            plan.idle = max(1, budget - elapsed)
            return
        if scenario == "awaiting_material":
            steps.append(s("request_material", "handler", rng.randint(1, 3),
                           data={"note": rng.choice(D.MATERIAL_REQUESTS)}))
            plan.idle = rng.randint(0, 4)
            return

        steps.append(s("reply", "handler", max(1, budget - elapsed), data=self._reply_data(plan)))
        if rng.random() < 0.07:
            steps.append(s("send_back", "supervisor", rng.choice([0, 1]), data={"note": rng.choice(D.SEND_BACK_NOTES)}))
            steps.append(s("reply", "handler", rng.randint(1, 3), data=self._reply_data(plan, resolved=True)))
        if scenario == "replied":
            plan.idle = rng.choice([0, 1])
            return
        steps.append(s("approve_reply", "supervisor", rng.choice([0, 0, 1, 2])))
        if scenario == "awaiting_rating":
            plan.idle, plan.idle_calendar = rng.randint(0, 5), True
            return
        if scenario == "closed_unrated":
            steps.append(s("close_unrated", "system", kind="after_rate_due"))
        elif scenario == "rating_review":
            steps.append(s("rate", "enterprise", rng.randint(0, 5), "enterprise", data=self._rating(good=False)))
            plan.idle = rng.choice([0, 1, 2])
            return
        elif scenario == "closed_upheld":
            steps.append(s("rate", "enterprise", rng.randint(0, 5), "enterprise", data=self._rating(good=False)))
            steps.append(s("uphold", "supervisor", rng.randint(1, 3), data={"note": rng.choice(D.UPHOLD_NOTES)}))
        elif scenario == "closed_reopened":
            steps.append(s("rate", "enterprise", rng.randint(0, 5), "enterprise", data=self._rating(good=False)))
            steps.append(s("reopen", "supervisor", rng.randint(1, 2), data={"note": rng.choice(D.REOPEN_NOTES)}))
            steps.append(s("note", "handler", rng.randint(1, 3),
                           data={"note": "已与企业当面沟通，重新制定办理方案。", "public": True}))
            steps.append(s("reply", "handler", rng.randint(2, 6), data=self._reply_data(plan, resolved=True)))
            steps.append(s("approve_reply", "supervisor", rng.choice([0, 1])))
            steps.append(s("rate", "enterprise", rng.randint(0, 4), "enterprise", data=self._rating(good=True)))
        else:
            steps.append(s("rate", "enterprise", rng.randint(0, 5), "enterprise", data=self._rating(good=True)))
        if publish and rng.random() < 0.9:
            steps.append(s("publish_result", "supervisor", rng.choice([0, 1, 2, 3]),
                           data=lambda t, at, p=plan: {"public_reply": self._public_reply(p, t)}))

    def _alternatives(self, plan: _Plan) -> list[str]:
        spec = self.specs[plan.category.name]
        slugs = list(dict.fromkeys(spec["alt"] + spec["co"]))
        self.rng.shuffle(slugs)
        return slugs

    def _other_unit(self, ticket: Ticket, slugs: list[str]) -> Unit:
        """The first of ``slugs`` (``street``: the ticket's street office) that is not the current lead."""
        for slug in slugs + ["econ", "housing"]:
            unit = self.street_of.get(ticket.area_id) if slug == "street" else self.units[slug]
            if unit is not None and unit is not ticket.lead_unit:
                return unit
        raise AssertionError("no unit to dispatch to")

    def _note_data(self) -> dict:
        rng = self.rng
        if rng.random() < 0.5:
            return {"note": rng.choice(D.PUBLIC_NOTES), "public": True}
        return {"note": rng.choice(D.INTERNAL_NOTES + D.CO_UNIT_NOTES), "public": False}

    def _material(self, gap: int) -> list[_Step]:
        rng, s = self.rng, self._step
        return [s("request_material", "handler", rng.randint(1, gap), data={"note": rng.choice(D.MATERIAL_REQUESTS)}),
                s("provide_material", "enterprise", rng.randint(1, 5), "enterprise",
                  data={"note": rng.choice(D.MATERIAL_PROVIDED)})]

    def _extension(self, granted: bool | None, gap: int) -> list[_Step]:
        """Request an extension; the supervisor grants it, refuses it, or (None) has not decided yet."""
        rng, s = self.rng, self._step
        extra, reason = rng.randint(5, 15), rng.choice(D.EXTENSION_REASONS)
        steps = [s("request_extension", "handler", rng.randint(1, gap), data=lambda t, at: {
            "new_due": self.cal.add_working_days(t.handle_due.date(), extra), "reason": reason})]
        if granted is True:
            steps.append(s("grant_extension", "supervisor", rng.choice([0, 1]),
                           data={"note": rng.choice(D.GRANT_NOTES)}))
        elif granted is False:
            steps.append(s("refuse_extension", "supervisor", rng.choice([0, 1]),
                           data={"note": rng.choice(D.REFUSE_NOTES)}))
        return steps

    def _order(self, answered: bool, gap: int) -> list[_Step]:
        rng, s = self.rng, self._step
        level = rng.choices(["general", "key", "listed"], weights=[6, 3, 1])[0]
        days, note = rng.randint(3, 7), rng.choice(D.ORDER_NOTES)
        steps = [s("issue_order", "supervisor", rng.randint(1, gap), data=lambda t, at: {
            "level": level, "deadline": at.date() + timedelta(days=days), "note": note})]
        if answered:
            steps.append(s("answer_order", rng.choice(["handler", "leader"]), rng.randint(1, min(gap, days)),
                           data={"text": rng.choice(D.ORDER_ANSWERS)}))
        return steps

    def _reply_data(self, plan: _Plan, resolved: bool = False) -> Callable[[Ticket, datetime], dict]:
        choices = D.REPLIES[plan.category.name]
        if resolved:
            choices = [c for c in choices if c[0] == "resolved"] or choices
        outcome, text = self.rng.choice(choices)

        def data(ticket: Ticket, at: datetime) -> dict:
            unit = ticket.lead_unit.short_name or ticket.lead_unit.name
            return {"outcome": outcome, "text": text.format_map({**plan.facts, "unit": unit})}

        return data

    def _rating(self, good: bool) -> dict:
        rng = self.rng
        if good:
            rating = rng.choices([r for r, _ in D.GOOD_RATINGS], weights=[w for _, w in D.GOOD_RATINGS])[0]
            return {"rating": rating, "solved": rating >= 4 or rng.random() < 0.6,
                    "comment": rng.choice(D.GOOD_COMMENTS)}
        return {"rating": rng.choice([2, 2, 1]), "solved": False, "comment": rng.choice(D.BAD_COMMENTS)}

    # ------------------------------------------------------------ timing

    def _next_time(self, prev: datetime, step: _Step) -> datetime:
        """When ``step`` happens after ``prev``: staff in working hours of working days, enterprises any day,
        the unrated close the night after the rating deadline."""
        if step.kind == "after_rate_due":
            return datetime.combine(prev.date() + timedelta(days=8), time(1)) + timedelta(minutes=int(step.frac * 60))
        if step.kind == "enterprise":
            if step.wd == 0:
                return prev + timedelta(minutes=15 + int(step.frac * 300))
            at = datetime.combine(prev.date() + timedelta(days=step.wd), time(8)) + timedelta(
                minutes=int(step.frac * 14 * 60))
            return max(at, prev + timedelta(minutes=5))
        if step.wd == 0:
            at = max(prev + timedelta(minutes=20 + int(step.frac * 240)), datetime.combine(prev.date(), WORK_START))
            if at.date() == prev.date() and at.time() <= time(18) and self.cal.is_working_day(at.date()):
                return at
            day = self.cal.add_working_days(prev.date(), 1)
            return datetime.combine(day, WORK_START) + timedelta(minutes=int(step.frac * 120))
        day = self.cal.add_working_days(prev.date(), step.wd)
        return datetime.combine(day, WORK_START) + timedelta(minutes=int(step.frac * 540))

    def _simulate(self, plan: _Plan, start: date) -> tuple[list[datetime], date]:
        if plan.source in (Source.ONLINE, Source.API):
            first = datetime.combine(start, time(7)) + timedelta(minutes=int(plan.start_frac * 16 * 60))
        else:
            first = datetime.combine(self.cal.add_working_days(start, 0), WORK_START) + timedelta(
                minutes=int(plan.start_frac * 540))
        times = [first]
        for step in plan.steps:
            times.append(self._next_time(times[-1], step))
        last = times[-1].date()
        if plan.idle_calendar:
            end = last + timedelta(days=plan.idle)
        else:
            end = self.cal.add_working_days(last, plan.idle) if plan.idle else last
        return times, end

    def _fit(self, plan: _Plan) -> None:
        """Place ``plan`` in time: open tickets end today, finished ones on a random day of the past year."""
        span = int(sum(step.wd for step in plan.steps) * 1.45) + int(plan.idle * 1.45) + 2
        span += 8 * sum(step.kind == "after_rate_due" for step in plan.steps)
        if plan.scenario in FINAL_SCENARIOS:
            target = self.today - timedelta(days=self.rng.randint(0, max(0, 362 - span)))
        else:
            target = self.today
        start = target - timedelta(days=span)
        for _ in range(20):
            times, end = self._simulate(plan, start)
            if times[-1] > self.now or end > self.today:
                start -= timedelta(days=max(1, (end - self.today).days))
                continue
            gap = (target - end).days
            if gap <= 1:
                break
            start += timedelta(days=gap)
        times, end = self._simulate(plan, start)
        while times[-1] > self.now or end > self.today:
            start -= timedelta(days=1)
            times, end = self._simulate(plan, start)
        plan.created_at = times[0]
        for step, at in zip(plan.steps, times[1:], strict=True):
            step.at = at

    # ------------------------------------------------------------ texts

    def _fill_texts(self, plan: _Plan) -> None:
        rng = self.rng
        plan.facts = D.story_facts(rng, plan.created_at, self.names,
                                   plan.enterprise.area.name if plan.enterprise.area else "园区")
        title, description = (plan.decline[1], plan.decline[2]) if plan.decline else plan.template
        plan.facts["title"] = title.format_map(plan.facts)
        plan.facts["description"] = description.format_map(plan.facts)
        spec = self.specs[plan.category.name]
        plan.facts["answers"] = ({q: rng.choice(options).format_map(plan.facts) for q, options in spec["questions"]}
                                 if rng.random() < 0.8 else None)
        contact = ""
        if rng.random() < 0.25:
            contact = f"联系人：{plan.enterprise.contact_name}，电话{plan.enterprise.contact_mobile}。"
        plan.facts["full_description"] = plan.facts["description"] + contact

    def _public(self, plan: _Plan, ticket: Ticket) -> dict:
        """The moderated public texts (晒问题): masked, and told about the enterprise, not by it."""
        terms = terms_for(ticket)
        summary = redact(plan.facts["description"], terms)
        summary = summary.replace("我公司", "该企业").replace("我们", "企业")
        if summary.startswith("公司"):
            summary = "该企业" + summary[2:]
        return {"public_title": redact(ticket.title, terms),
                "public_summary": f"{ticket.enterprise.public_label}反映：{summary}"}

    def _public_reply(self, plan: _Plan, ticket: Ticket) -> str:
        """The public result (晒结果): the unit's reply, masked, and how it ended."""
        text = redact(ticket.reply_text or "", terms_for(ticket))
        if ticket.rating is not None and ticket.rating.is_satisfied:
            text += f"企业评价：{RATING_WORDS[ticket.rating.value]}。"
        elif ticket.rating is not None:
            text += "经营商办复核，维持办理结果。"
        else:
            text += "企业未在规定时间内评价，按期办结。"
        return text

    # ------------------------------------------------------------ merged tickets

    def _merged_plan(self, target: _Plan, source: Source) -> _Plan:
        """A second complaint about ``target``'s problem, filed a few days after it."""
        rng = self.rng
        same_area = [e for e in self.enterprises if e.area_id == target.enterprise.area_id]
        enterprise = target.enterprise if rng.random() < 0.5 else rng.choice(same_area)
        if source == Source.VISIT and enterprise.id not in self.cadre_of:
            source = Source.HOTLINE
        plan = _Plan(scenario="merged", source=source, enterprise=enterprise, category=target.category,
                     supervisor=target.supervisor, template=target.template, consent=target.consent, target=target)
        latest = self.now - timedelta(hours=3)
        earliest = target.created_at + timedelta(days=1)
        at = earliest + timedelta(minutes=rng.randint(0, 14 * 24 * 60))
        at = min(at, latest) if earliest < latest else target.created_at + (self.now - target.created_at) / 2
        plan.created_at = at.replace(microsecond=0)
        plan.facts = {**target.facts, "answers": None}
        plan.facts["full_description"] = target.facts["description"] + "此前已有反映，至今仍未解决。"
        return plan

    def _merge(self, plan: _Plan) -> None:
        ticket, target = plan.ticket, plan.target.ticket
        base = max(ticket.events[-1].at, target.events[-1].at)
        at = self._next_time(base, self._step("merge", "supervisor"))
        if at > self.now:
            at = base + (self.now - base) / 2
        workflow.perform(ticket, "merge", plan.supervisor, at=at.replace(microsecond=0), into=target.tracking_no,
                         note=f"与工单{target.tracking_no}反映同一问题，并入办理。")

    # ------------------------------------------------------------ running

    def _filer(self, plan: _Plan) -> User | None:
        enterprise_id = plan.enterprise.id
        if plan.source == Source.API:
            return None
        if plan.source == Source.VISIT or (plan.source == Source.ONLINE and not self.filers.get(enterprise_id)):
            return self.cadre_of.get(enterprise_id) or plan.supervisor
        if plan.source == Source.ONLINE:
            return self.rng.choice(self.filers[enterprise_id])
        return plan.supervisor

    def _actor(self, who: str, plan: _Plan, ticket: Ticket) -> User | None:
        if who == "supervisor":
            return plan.supervisor
        if who == "system":
            return None
        if who == "enterprise":
            return self.enterprise_actor(ticket.enterprise_id)
        if ticket.lead_unit is not None and ticket.lead_unit_id != ticket.lead_unit.id:
            db.session.flush()  # the access check compares the unit's id, set on flush
        if who == "co_handler" and ticket.co_units:
            return self.handlers[ticket.co_units[0].id]
        units = self.leaders if who == "leader" else self.handlers
        return units[ticket.lead_unit.id]

    def _run(self, plan: _Plan) -> None:
        """File the complaint and replay its steps through the state machine."""
        complaint = Complaint(
            enterprise=plan.enterprise, category=plan.category, title=plan.facts["title"],
            description=plan.facts["full_description"], area_id=plan.enterprise.area_id, source=plan.source,
            publish_consent=plan.consent, answers=plan.facts.get("answers"))
        ticket, _ = file_complaint(complaint, self._filer(plan), at=plan.created_at)
        plan.ticket = ticket
        for step in plan.steps:
            data: Any = step.data(ticket, step.at) if callable(step.data) else step.data
            workflow.perform(ticket, step.action, self._actor(step.actor, plan, ticket), at=step.at, **data)
            if step.action == "request_extension":
                db.session.flush()  # the request's status "pending" is a column default, set on flush
