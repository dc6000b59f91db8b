"""The demo run: enterprises, then a year of complaints, each filed and replayed through the state
machine (``workflow.perform``) at the moments :mod:`.timing` chose."""

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from supervise import seed_data as D
from supervise.domain import intake, notify, workflow
from supervise.domain.calendar import load_calendar
from supervise.domain.clock import now as clock_now
from supervise.extensions import db
from supervise.models import Area, Category, Enterprise, Role, Source, Ticket, Unit, User
from supervise.operations import filing
from supervise.seed.accounts import SEED, Names, demo_logins, load_staff, shared_hash
from supervise.seed.campaigns import load_campaigns
from supervise.seed.companies import Companies
from supervise.seed.evaluation import load_evaluation
from supervise.seed.indicators import load_indicators
from supervise.seed.ledger import load_ledger
from supervise.seed.plans import SCENARIOS, Plan, Planning
from supervise.seed.pledges import load_pledges
from supervise.seed.projects import load_projects
from supervise.seed.reply_templates import load_reply_templates
from supervise.seed.settlement import load_settlements
from supervise.seed.steps import Steps
from supervise.seed.texts import Texts
from supervise.seed.timing import Timing

SOURCE_WEIGHTS = {
    Source.ONLINE: 45,
    Source.HOTLINE: 12,
    Source.HALL: 8,
    Source.VISIT: 12,
    Source.CAMPAIGN: 10,
    Source.PROVINCIAL: 3,
    Source.SELF_INSPECTION: 4,
    Source.MEDIA: 3,
    Source.API: 3,
}


def load_demo(tickets: int = 360) -> list[tuple[str, str, str]]:
    """Staff accounts (:func:`load_staff`), enterprises, liaison pairs, enterprise accounts and
    ``tickets`` complaints over the past year, on top of :func:`load_reference`.

    Notifications are muted while the history is replayed: nobody is told about last year's events.
    Returns the demo logins, as :func:`demo_logins`.
    """
    from supervise.domain import supervision
    from supervise.domain.measures import cells

    load_staff()
    load_reply_templates()
    with notify.suppressed():
        demo = Demo(random.Random(SEED))
        demo.add_enterprises()
        demo.add_tickets(tickets)
        demo.add_pending_registration()
        load_pledges(demo.now)
        load_evaluation(demo)
        load_projects(demo)  # key projects, their monthly reports and blockers
        load_campaigns(demo)
        supervision.refresh_overdue_flags(demo.now)
        load_indicators(demo.now, random.Random(SEED))
        load_ledger(random.Random(SEED), demo.now)
    db.session.flush()
    cells.refresh_all(demo.now)  # the statistics pages read these cells
    load_settlements(demo.now, random.Random(SEED))  # the settled quarters score from those cells
    return demo_logins()


class Demo(Companies, Planning, Steps, Timing, Texts):
    """One demo run: what it has created so far, and the one ``rng`` every choice is drawn from."""

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
        self.names = Names(rng, {u.name for u in users.values()})
        self.enterprises: list[Enterprise] = []
        self.filers: dict[int, list[User]] = {}  # enterprise id -> its accounts
        self.cadre_of: dict[int, User] = {}
        self.password_hash = shared_hash()

    # ------------------------------------------------------------ planning

    def add_tickets(self, count: int) -> None:
        rng = self.rng
        scenarios = self._allocate(count)
        sources = list(Source) + rng.choices(
            list(SOURCE_WEIGHTS), weights=list(SOURCE_WEIGHTS.values()), k=max(0, len(scenarios) - len(Source))
        )
        rng.shuffle(sources)
        plans: list[Plan] = []
        favoured: set[str] = set()
        for scenario, source in zip(scenarios, sources, strict=True):
            if scenario == "merged":
                continue
            plan = self._plan(scenario, source, favoured)
            self._fit(plan)
            self._fill_texts(plan)
            plans.append(plan)
        targets = [p for p in plans if p.scenario in ("in_progress", "in_progress_overdue")]
        merged = [
            self._merged_plan(rng.choice(targets), source)
            for scenario, source in zip(scenarios, sources, strict=True)
            if scenario == "merged"
        ]
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

    def _plan(self, scenario: str, source: Source, favoured: set[str]) -> Plan:
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
        plan = Plan(
            scenario=scenario,
            source=source,
            enterprise=enterprise,
            category=category,
            supervisor=rng.choice(self.supervisors),
            template=rng.choice(D.TEMPLATES[category.name]),
            consent=rng.random() >= 0.1,
            start_frac=rng.random(),
            decline=decline,
        )
        self._steps(plan)
        return plan

    # ------------------------------------------------------------ merged tickets

    def _merged_plan(self, target: Plan, source: Source) -> Plan:
        """A second complaint about ``target``'s problem, filed a few days after it."""
        rng = self.rng
        same_area = [e for e in self.enterprises if e.area_id == target.enterprise.area_id]
        enterprise = target.enterprise if rng.random() < 0.5 else rng.choice(same_area)
        if source == Source.VISIT and enterprise.id not in self.cadre_of:
            source = Source.HOTLINE
        plan = Plan(
            scenario="merged",
            source=source,
            enterprise=enterprise,
            category=target.category,
            supervisor=target.supervisor,
            template=target.template,
            consent=target.consent,
            target=target,
        )
        latest = self.now - timedelta(hours=3)
        earliest = target.created_at + timedelta(days=1)
        at = earliest + timedelta(minutes=rng.randint(0, 14 * 24 * 60))
        at = min(at, latest) if earliest < latest else target.created_at + (self.now - target.created_at) / 2
        plan.created_at = at.replace(microsecond=0)
        plan.facts = {**target.facts, "answers": None}
        plan.facts["full_description"] = target.facts["description"] + "此前已有反映，至今仍未解决。"
        return plan

    def _merge(self, plan: Plan) -> None:
        ticket, target = plan.ticket, plan.target.ticket
        base = max(ticket.events[-1].at, target.events[-1].at)
        at = self._next_time(base, self._step("merge", "supervisor"))
        if at > self.now:
            at = base + (self.now - base) / 2
        workflow.perform(
            ticket,
            "merge",
            plan.supervisor,
            at=at.replace(microsecond=0),
            into=target.tracking_no,
            note=f"与工单{target.tracking_no}反映同一问题，并入办理。",
        )

    # ------------------------------------------------------------ running

    def _filer(self, plan: Plan) -> User | None:
        enterprise_id = plan.enterprise.id
        if plan.source == Source.API:
            return None
        if plan.source == Source.VISIT or (plan.source == Source.ONLINE and not self.filers.get(enterprise_id)):
            return self.cadre_of.get(enterprise_id) or plan.supervisor
        if plan.source == Source.ONLINE:
            return self.rng.choice(self.filers[enterprise_id])
        return plan.supervisor

    def _actor(self, who: str, plan: Plan, ticket: Ticket) -> User | None:
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

    def _run(self, plan: Plan) -> None:
        """File the complaint and replay its steps through the state machine."""
        complaint = intake.Complaint(
            enterprise=plan.enterprise,
            category=plan.category,
            title=plan.facts["title"],
            description=plan.facts["full_description"],
            area_id=plan.enterprise.area_id,
            source=plan.source,
            publish_consent=plan.consent,
            answers=plan.facts.get("answers"),
        )
        # No client key: the channel only names where the complaint came from.
        channel = {Source.ONLINE: intake.WEB, Source.API: intake.OPEN311}.get(plan.source, intake.CONSOLE)
        ticket, _ = filing.file_complaint(channel, self._filer(plan), complaint, at=plan.created_at)
        plan.ticket = ticket
        for step in plan.steps:
            data: Any = step.data(ticket, step.at) if callable(step.data) else step.data
            workflow.perform(ticket, step.action, self._actor(step.actor, plan, ticket), at=step.at, **data)
            if step.action == "request_extension":
                db.session.flush()  # the request's status "pending" is a column default, set on flush
