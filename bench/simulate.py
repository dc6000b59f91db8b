"""One ticket's life, simulated for the bench generator: its row and its timeline, ready for COPY.

No ORM and no state machine (a million tickets through ``workflow.perform`` would take hours): the
story of each ticket is told here in plain Python with the same rules — due dates from the working-day
calendar, the fields each action sets, which events are public — so that the public pages, the search
index and the measures see what the platform itself would have written. The texts come from
``supervise.seed_data``; the public texts are masked with ``supervise.domain.redaction`` and indexed
with ``supervise.domain.search.document`` exactly as the platform does.

Deliberately left out (no public page reads them): extension-request, supervision-order and alert rows
(their timeline events are written), attachments, notifications.
"""

import contextlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from supervise import seed_data as D
from supervise.domain import clocks, search
from supervise.domain.redaction import redact
from supervise.models import State

# How stories end (or where they are stuck today), with their shares in percent: about three quarters
# closed, the rest declined, merged or open. Recent tickets also end up open because their story is
# cut at "now".
SCENARIOS: list[tuple[str, float]] = [
    ("closed", 68.0),
    ("closed_reopened", 2.5),
    ("closed_upheld", 2.0),
    ("closed_unrated", 2.5),
    ("declined", 5.0),
    ("merged", 2.0),
    ("submitted", 1.0),
    ("awaiting_dispatch", 1.5),
    ("dispatched", 2.0),
    ("returned", 1.0),
    ("in_progress", 8.0),
    ("awaiting_material", 1.5),
    ("replied", 1.5),
    ("awaiting_rating", 1.0),
    ("rating_review", 0.5),
]
SCENARIO_NAMES = [name for name, _ in SCENARIOS]
FINAL = {"closed", "closed_reopened", "closed_upheld", "closed_unrated", "declined", "merged"}
# Tickets stuck open: (calendar days their story takes to reach the state, mean days idle there since).
STUCK_AGE = {
    "submitted": (0, 1),
    "awaiting_dispatch": (1, 2),
    "dispatched": (2, 2),
    "returned": (3, 3),
    "in_progress": (4, 40),
    "awaiting_material": (8, 15),
    "replied": (22, 2),
    "awaiting_rating": (25, 2),
    "rating_review": (28, 4),
}
SOURCES = {
    "online": 45,
    "hotline": 12,
    "hall": 8,
    "visit": 12,
    "campaign": 10,
    "provincial": 3,
    "self_inspection": 4,
    "media": 3,
    "api": 3,
}
STREET = -1  # in CategoryInfo.alternatives: the street office of the enterprise's area
HANDLE_DAYS = {"simple": 5, "standard": 15, "complex": 30}
RATING_NAMES = {
    5: "VERY_SATISFIED",
    4: "SATISFIED",
    3: "BASICALLY_SATISFIED",
    2: "DISSATISFIED",
    1: "VERY_DISSATISFIED",
}
RATING_WORDS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
RETRIEVAL_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PUBLISH_SHARE = 0.72  # of the tickets that may be published: about 60% of all tickets end up published
RESULT_SHARE = 0.85  # of the closed, published tickets
WORK_START, WORK_END = time(8, 30), time(17, 30)
END_OF_DAY = time(23, 59, 59)

TICKET_COLUMNS = (
    "id",
    "tracking_no",
    "retrieval_code",
    "version",
    "source",
    "enterprise_id",
    "filed_by_id",
    "category_id",
    "area_id",
    "title",
    "description",
    "answers",
    "contact_name",
    "contact_mobile",
    "contact_email",
    "publish_consent",
    "state",
    "lead_unit_id",
    "limit_class",
    "handle_days",
    "decline_reason",
    "merged_into_id",
    "created_at",
    "accepted_at",
    "dispatched_at",
    "signed_at",
    "replied_at",
    "approved_at",
    "closed_at",
    "paused_at",
    "accept_due",
    "sign_due",
    "handle_due",
    "rate_due",
    "reopen_count",
    "return_count",
    "extension_count",
    "overdue_at",
    "reply_outcome",
    "reply_text",
    "rating",
    "rating_solved",
    "rating_comment",
    "rated_at",
    "published_at",
    "public_title",
    "public_summary",
    "public_reply",
    "result_published_at",
    "search_doc",
)
EVENT_COLUMNS = ("ticket_id", "at", "actor_id", "action", "from_state", "to_state", "note", "public", "data")
_BLANK = dict.fromkeys(TICKET_COLUMNS)


class WorkingDays:
    """The working-day calendar as arrays, so that adding working days is a lookup, not a loop."""

    def __init__(self, is_working_day, first: date, last: date):
        self.first = first
        self.count: list[int] = []  # working days in [first, first + i]
        self.offsets: list[int] = []  # the working days, as offsets from ``first``
        total = 0
        for i in range((last - first).days + 1):
            if is_working_day(first + timedelta(i)):
                total += 1
                self.offsets.append(i)
            self.count.append(total)

    def _before(self, i: int) -> int:
        return self.count[i - 1] if i > 0 else 0

    def is_working(self, day: date) -> bool:
        i = (day - self.first).days
        return self.count[i] != self._before(i)

    def add(self, day: date, days: int) -> date:
        """As ``WorkingCalendar.add_working_days``: the ``days``-th working day after ``day``."""
        i = (day - self.first).days
        if days <= 0:
            return self.first + timedelta(self.offsets[self._before(i)])
        return self.first + timedelta(self.offsets[self.count[i] + days - 1])

    def between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]``."""
        return self.count[(end - self.first).days] - self.count[(start - self.first).days]

    def due(self, start: datetime, days: int) -> datetime:
        """The end of the ``days``-th working day after ``start`` (``deadlines.due_after``)."""
        return datetime.combine(self.add(start.date(), days), END_OF_DAY)


@dataclass
class CategoryInfo:
    id: int
    name: str
    full_name: str
    limit: str
    templates: list[tuple[str, str]]
    replies: list[tuple[str, str]]
    questions: list[tuple[str, list[str]]]
    lead: dict[int, int | None]  # area id -> the unit routing picks (None: the dispatch queue)
    alternatives: list[int]  # units a supervisor picks from the queue or after a return (STREET: the area's)
    co_units: list[int]

    @property
    def handle_days(self) -> int:
        return HANDLE_DAYS[self.limit]


@dataclass
class EnterpriseInfo:
    id: int
    area_id: int
    label: str  # 某制造业企业
    terms: list[str]  # what disclosure masks: names, aliases, the contact person
    contact_name: str
    contact_mobile: str
    email: str | None
    user_id: int | None  # its own account, if any
    cadre_id: int | None  # its liaison cadre, if paired


@dataclass
class World:
    """Everything a worker needs to tell stories: reference data, read once from the database."""

    now: datetime
    origin: datetime  # the earliest moment a ticket may be filed
    days: WorkingDays
    categories: list[CategoryInfo]
    category_weights: list[float]
    units: dict[int, tuple[str, str]]  # id -> (name, short name)
    areas: dict[int, str]
    street_of: dict[int, int]  # area id -> its street or town office
    enterprises: list[EnterpriseInfo]
    enterprise_weights: list[float]
    supervisors: list[int]
    handlers: dict[int, int]  # unit id -> a handler
    leaders: dict[int, int]
    declined: list[tuple[CategoryInfo, str, str, str, str]] = field(default_factory=list)


class Stop(Exception):
    """The story reached "now", or the state the ticket is stuck in."""


class Timeline:
    """Events in time order; an event after ``now`` ends the story (raises :class:`Stop`)."""

    def __init__(self, now: datetime):
        self.now = now
        self.last = datetime.min
        self.events: list[tuple] = []

    def add(
        self,
        at: datetime,
        action: str,
        to_state: str | None,
        actor: int | None,
        note: str = "",
        public: bool = True,
        data: dict | None = None,
    ) -> datetime:
        at = max(at, self.last + timedelta(minutes=1))
        if at > self.now:
            raise Stop
        self.last = at
        self.events.append((at, actor, action, to_state, note, public, data))
        return at

    def insert(self, at: datetime, action: str, actor: int | None, data: dict | None = None) -> None:
        """An event outside the story's order (publication), placed by time later."""
        self.events.append((at, actor, action, None, "", True, data))


# ---------------------------------------------------------------- planning


def plan(world: World, count: int, seed: int) -> list[int]:
    """When each ticket was filed and how its story goes, sorted by filing time: the i-th entry is the
    ticket with id i + 1. Entries are packed ints (minutes after ``origin`` * 32 + scenario index)."""
    rng = random.Random(seed)
    span_days = (world.now - world.origin).days
    # Volume grows over the years; weekends bring a third of a working day's complaints.
    day_weights = []
    for i in range(span_days):
        day = world.origin.date() + timedelta(i)
        weight = (0.5 + i / span_days) * (1.0 if day.weekday() < 5 else 0.3)
        day_weights.append(weight)
    scenario_index = rng.choices(range(len(SCENARIOS)), weights=[w for _, w in SCENARIOS], k=count)
    days = rng.choices(range(span_days), weights=day_weights, k=count)
    limit = int((world.now - world.origin).total_seconds() // 60) - 30
    packed = []
    for index, day in zip(scenario_index, days, strict=True):
        name = SCENARIO_NAMES[index]
        if name in FINAL:
            minute = day * 1440 + rng.randint(7 * 60, 22 * 60)
        else:
            reach, idle = STUCK_AGE[name]
            age = reach + rng.expovariate(1 / idle)
            if name == "awaiting_rating":
                age = min(age, reach + 6)
            minute = limit - int(age * 1440) - rng.randint(0, 600)
        packed.append(min(max(minute, 0), limit) * 32 + index)
    packed.sort()
    return packed


def unpack(world: World, entry: int) -> tuple[datetime, str]:
    return world.origin + timedelta(minutes=entry // 32), SCENARIO_NAMES[entry % 32]


def tracking_number(ticket_id: int, at: datetime) -> str:
    return f"{at:%y%m}{ticket_id:07d}"


# ---------------------------------------------------------------- one story


class Story:
    """One ticket: :meth:`tell` fills ``row`` (the tickets columns) and ``timeline``."""

    def __init__(
        self,
        world: World,
        rng: random.Random,
        ticket_id: int,
        created_at: datetime,
        scenario: str,
        merge_target: tuple[int, str] | None,
    ):
        self.w, self.rng, self.days = world, rng, world.days
        self.id, self.created_at, self.scenario = ticket_id, created_at, scenario
        self.merge_target = merge_target
        self.row = dict(_BLANK)
        self.timeline = Timeline(world.now)
        self.supervisor = rng.choice(world.supervisors)

    # ------------------------------------------------------------ moments

    def staff_after(self, prev: datetime, working_days: int) -> datetime:
        """A moment in working hours, ``working_days`` after ``prev`` (0: later that working day or the next)."""
        rng = self.rng
        if working_days == 0:
            at = max(
                prev + timedelta(minutes=rng.randint(20, 240)),
                datetime.combine(prev.date(), WORK_START) + timedelta(minutes=rng.randint(0, 60)),
            )
            if at.date() == prev.date() and at.time() <= WORK_END and self.days.is_working(at.date()):
                return at
            working_days = 1
        day = self.days.add(prev.date(), working_days)
        at = datetime.combine(day, WORK_START) + timedelta(minutes=rng.randint(0, 540))
        return max(at, prev + timedelta(minutes=10))

    def enterprise_after(self, prev: datetime, days: int) -> datetime:
        if days == 0:
            return prev + timedelta(minutes=self.rng.randint(15, 300))
        at = datetime.combine(prev.date() + timedelta(days), time(8)) + timedelta(minutes=self.rng.randint(0, 840))
        return max(at, prev + timedelta(minutes=5))

    # ------------------------------------------------------------ the parties

    def pick_category(self) -> CategoryInfo:
        return self.rng.choices(self.w.categories, cum_weights=self.w.category_weights)[0]

    def handler(self, unit_id: int) -> int | None:
        return self.w.handlers.get(unit_id) or self.w.leaders.get(unit_id)

    def alternative(self, instead_of: int | None) -> int:
        """The unit a supervisor picks: one of the category's alternatives (STREET: the area's street office)."""
        street = self.w.street_of.get(self.enterprise.area_id)
        units = [street if u == STREET else u for u in self.category.alternatives]
        units = [u for u in units if u is not None and u != instead_of]
        return self.rng.choice(units) if units else instead_of

    def enterprise_actor(self) -> int:
        return self.enterprise.user_id or self.enterprise.cadre_id or self.supervisor

    # ------------------------------------------------------------ texts

    def facts(self) -> dict:
        rng = self.rng
        return D.story_facts(
            rng,
            self.created_at,
            lambda: rng.choice(D.SURNAMES) + rng.choice(D.GIVEN_NAMES),
            self.w.areas.get(self.enterprise.area_id, "园区"),
        )

    # ------------------------------------------------------------ the story

    def tell(self) -> tuple[tuple, list[tuple]]:
        """The ticket's COPY row and its events' COPY rows."""
        rng, w, r = self.rng, self.w, self.row
        self.enterprise = rng.choices(w.enterprises, cum_weights=w.enterprise_weights)[0]
        declined = self.declined = rng.choice(w.declined) if self.scenario == "declined" else None
        self.category = declined[0] if declined else self.pick_category()
        self.fact = self.facts()
        if declined:
            title, description = declined[1].format_map(self.fact), declined[2].format_map(self.fact)
        else:
            template = rng.choice(self.category.templates)
            title, description = template[0].format_map(self.fact), template[1].format_map(self.fact)
        if self.scenario == "merged":
            description += "此前已有反映，至今仍未解决。"
        self.description = description
        source = rng.choices(list(SOURCES), weights=list(SOURCES.values()))[0]
        if source == "visit" and self.enterprise.cadre_id is None:
            source = "hotline"
        ent = self.enterprise
        contact = f"联系人：{ent.contact_name}，电话{ent.contact_mobile}。" if rng.random() < 0.25 else ""
        answers = None
        if rng.random() < 0.8:
            answers = json.dumps(
                {q: rng.choice(options).format_map(self.fact) for q, options in self.category.questions}
            )
        filer = {"online": ent.user_id or ent.cadre_id or self.supervisor, "visit": ent.cadre_id, "api": None}.get(
            source, self.supervisor
        )
        r.update(
            id=self.id,
            tracking_no=tracking_number(self.id, self.created_at),
            retrieval_code="".join(rng.choices(RETRIEVAL_ALPHABET, k=6)),
            source=source,
            enterprise_id=ent.id,
            filed_by_id=filer,
            category_id=self.category.id,
            area_id=ent.area_id,
            title=title,
            description=description + contact,
            answers=answers,
            contact_name=ent.contact_name,
            contact_mobile=ent.contact_mobile,
            contact_email=ent.email,
            publish_consent=rng.random() < 0.92,
            limit_class=self.category.limit,
            handle_days=self.category.handle_days,
            created_at=self.created_at,
            reopen_count=0,
            return_count=0,
            extension_count=0,
        )
        with contextlib.suppress(Stop):  # the story ends where it ends
            self.run(filer, source)
        return self.finish()

    def dispatch_to(self, at: datetime, unit_id: int) -> dict:
        r = self.row
        r["lead_unit_id"], r["dispatched_at"], r["signed_at"] = unit_id, at, None
        r["sign_due"] = self.days.due(at, 1)
        r["handle_due"] = self.days.due(at, r["handle_days"])
        self.co_units = [u for u in self.category.co_units if u != unit_id]
        return {
            "unit_id": unit_id,
            "unit": self.w.units[unit_id][0],
            "handle_days": r["handle_days"],
            "handle_due": r["handle_due"].isoformat(),
            "co_units": [self.w.units[u][0] for u in self.co_units],
        }

    def run(self, filer: int | None, source: str) -> None:
        rng, r, tl, scenario, sup = self.rng, self.row, self.timeline, self.scenario, self.supervisor
        created = self.created_at
        tl.add(created, "submit", "submitted", filer, data={"source": source})
        r["accept_due"] = self.days.due(created, 2)
        if scenario == "submitted":
            raise Stop
        at = self.staff_after(created, rng.choice((0, 0, 1, 1, 2)))
        if scenario == "declined":
            reason, note = self.declined[3], self.declined[4]
            at = tl.add(at, "decline", "declined", sup, note, data={"reason": reason})
            r["decline_reason"], r["closed_at"] = reason, at
            raise Stop
        unit = None if scenario == "awaiting_dispatch" else self.category.lead.get(self.enterprise.area_id)
        note = rng.choice(D.ACCEPT_NOTES)
        if unit is not None:
            at = tl.add(at, "accept", "dispatched", sup, note, data=self.dispatch_to(at, unit))
            r["accepted_at"] = at
        else:
            at = tl.add(at, "accept", "awaiting_dispatch", sup, note)
            r["accepted_at"] = at
            if scenario == "awaiting_dispatch":
                raise Stop
            at = self.staff_after(at, rng.choice((0, 1, 1, 2)))
            unit = self.alternative(None)
            at = tl.add(at, "dispatch", "dispatched", sup, data=self.dispatch_to(at, unit))
        self.plan_publication(r["accepted_at"])
        if scenario == "merged":
            target_id, target_no = self.merge_target
            at = tl.add(
                self.staff_after(at, rng.randint(1, 5)),
                "merge",
                "merged",
                sup,
                f"与工单{target_no}反映同一问题，并入办理。",
                data={"into": target_no},
            )
            r["merged_into_id"], r["closed_at"] = target_id, at
            raise Stop
        if scenario == "returned" or rng.random() < 0.04:
            reason, basis = rng.choice(D.RETURNS)
            at = tl.add(
                self.staff_after(at, rng.choice((0, 1))),
                "return",
                "returned",
                self.handler(unit),
                reason,
                public=False,
                data={"basis": basis, "unit": self.w.units[unit][0]},
            )
            r["return_count"] = 1
            if scenario == "returned":
                raise Stop
            unit = self.alternative(unit)
            at = tl.add(self.staff_after(at, 1), "dispatch", "dispatched", sup, data=self.dispatch_to(at, unit))
        if scenario == "dispatched":
            raise Stop
        self.handle(at, unit)

    def handle(self, dispatched: datetime, unit: int) -> None:
        rng, r, tl, scenario, sup, days = self.rng, self.row, self.timeline, self.scenario, self.supervisor, self.days
        handler = self.handler(unit)
        delay = rng.choices((0, 1, 2, 3), weights=(75, 19, 4, 2))[0]
        at = tl.add(self.staff_after(dispatched, delay), "sign", "in_progress", handler)
        tl.events[-1] = (*tl.events[-1][:6], {"on_time": at <= r["sign_due"]})
        r["signed_at"] = at
        limit = r["handle_days"]
        if rng.random() < 0.9:
            working = max(1, round(limit * (0.15 + 0.75 * rng.random())))
        else:
            working = limit + rng.randint(1, max(2, limit // 2))
        if scenario == "awaiting_material" or rng.random() < 0.06:
            request = self.staff_after(at, rng.randint(1, 3))
            at = tl.add(
                request, "request_material", "awaiting_material", handler, rng.choice(D.MATERIAL_REQUESTS), public=False
            )
            r["paused_at"] = at
            if scenario == "awaiting_material":
                raise Stop
            at = tl.add(
                self.enterprise_after(at, rng.randint(2, 6)),
                "provide_material",
                "in_progress",
                self.enterprise_actor(),
                rng.choice(D.MATERIAL_PROVIDED),
                public=False,
            )
            paused = days.between(r["paused_at"].date(), at.date())
            before = r["handle_due"]
            if paused > 0:
                r["handle_due"] = datetime.combine(days.add(r["handle_due"].date(), paused), END_OF_DAY)
            tl.events[-1] = (*tl.events[-1][:6], {"paused_days": paused, "handle_due": r["handle_due"].isoformat()})
            r["paused_at"] = None
            working += days.between(before.date(), r["handle_due"].date())
        if rng.random() < 0.05:
            at = tl.add(
                self.staff_after(at, 2),
                "request_extension",
                None,
                handler,
                rng.choice(D.EXTENSION_REASONS),
                public=False,
            )
            new_due = days.add(r["handle_due"].date(), rng.randint(5, 10))
            tl.events[-1] = (*tl.events[-1][:6], {"new_due": new_due.isoformat()})
            at = tl.add(
                self.staff_after(at, 1),
                "grant_extension",
                None,
                sup,
                rng.choice(D.GRANT_NOTES),
                data={"new_due": new_due.isoformat()},
            )
            r["handle_due"], r["extension_count"] = datetime.combine(new_due, END_OF_DAY), 1
            working = min(working, days.between(r["dispatched_at"].date(), new_due))
        reply_day = days.add(r["dispatched_at"].date(), working)
        if scenario == "in_progress":
            reply_day = self.w.now.date() + timedelta(days=400)  # never, as far as the data goes
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            day = min(days.add(at.date(), rng.randint(0, 3)), reply_day)
            public = rng.random() < 0.5
            tl.add(
                self.staff_after(datetime.combine(day, WORK_START), 0),
                "note",
                None,
                handler,
                rng.choice(D.PUBLIC_NOTES if public else D.INTERNAL_NOTES),
                public=public,
            )
        late = datetime.combine(reply_day, WORK_START) > r["handle_due"]
        if late and rng.random() < 0.4:
            order_at = self.staff_after(r["handle_due"], 1)
            deadline = days.add(order_at.date(), 3)
            level = rng.choice(("general", "general", "key", "listed"))
            order_at = tl.add(
                order_at,
                "issue_order",
                None,
                sup,
                rng.choice(D.ORDER_NOTES),
                data={"level": level, "deadline": deadline.isoformat()},
            )
            if datetime.combine(reply_day, WORK_START) > order_at + timedelta(days=1):
                tl.add(
                    self.staff_after(order_at, 1),
                    "answer_order",
                    None,
                    self.w.leaders.get(unit, handler),
                    rng.choice(D.ORDER_ANSWERS),
                    public=False,
                    data={"on_time": True},
                )
        self.reply(datetime.combine(reply_day, WORK_START) + timedelta(minutes=rng.randint(0, 540)), unit, handler)

    def reply(self, at: datetime, unit: int, handler: int | None) -> None:
        rng, r, tl, scenario, sup = self.rng, self.row, self.timeline, self.scenario, self.supervisor
        outcome, text = rng.choice(self.category.replies)
        text = text.format_map({**self.fact, "unit": self.w.units[unit][1]})
        at = tl.add(at, "reply", "replied", handler, text, public=False, data={"outcome": outcome})
        r["reply_outcome"], r["reply_text"], r["replied_at"] = outcome, text, at
        if r["overdue_at"] is None and clocks.HANDLE.late(State.IN_PROGRESS, r["handle_due"], at):
            r["overdue_at"] = r["handle_due"]  # judged while still in progress, as the reply does
        if scenario == "replied":
            raise Stop
        at = tl.add(
            self.staff_after(at, rng.choice((0, 0, 1))),
            "approve_reply",
            "awaiting_rating",
            sup,
            text,
            data={"outcome": outcome},
        )
        r["approved_at"], r["rate_due"] = at, datetime.combine(at.date() + timedelta(days=7), END_OF_DAY)
        if scenario == "awaiting_rating":
            raise Stop
        if scenario == "closed_unrated":
            moment = datetime.combine(r["rate_due"].date() + timedelta(days=1), time(1)) + timedelta(
                minutes=rng.randint(0, 59)
            )
            r["closed_at"] = tl.add(moment, "close_unrated", "closed", None)
            raise Stop
        rated = min(self.enterprise_after(at, rng.choice((0, 1, 1, 2, 3, 5))), r["rate_due"])
        bad = scenario in ("closed_reopened", "closed_upheld", "rating_review") and not r["reopen_count"]
        if bad:
            rating, solved, comment = rng.choice((2, 2, 1)), False, rng.choice(D.BAD_COMMENTS)
        else:
            rating = rng.choices([v for v, _ in D.GOOD_RATINGS], weights=[s for _, s in D.GOOD_RATINGS])[0]
            solved, comment = rating >= 4 or rng.random() < 0.6, rng.choice(D.GOOD_COMMENTS)
        rated = tl.add(
            rated,
            "rate",
            "rating_review" if bad else "closed",
            self.enterprise_actor(),
            comment,
            data={"rating": rating, "solved": solved},
        )
        r["rating"], r["rating_solved"], r["rating_comment"], r["rated_at"] = (
            RATING_NAMES[rating],
            solved,
            comment,
            rated,
        )
        if not bad:
            r["closed_at"] = rated
            raise Stop
        if scenario == "rating_review":
            raise Stop
        at = self.staff_after(rated, rng.choice((1, 2)))
        if scenario == "closed_upheld":
            r["closed_at"] = tl.add(at, "uphold", "closed", sup, rng.choice(D.UPHOLD_NOTES))
            raise Stop
        at = tl.add(at, "reopen", "in_progress", sup, rng.choice(D.REOPEN_NOTES))
        r["reopen_count"] = 1
        r["handle_due"] = self.days.due(at, r["handle_days"])
        tl.events[-1] = (*tl.events[-1][:6], {"handle_due": r["handle_due"].isoformat()})
        for key in ("rating", "rating_solved", "rated_at", "rating_comment", "replied_at", "approved_at", "rate_due"):
            r[key] = None
        again = self.days.add(at.date(), rng.randint(2, 8))
        self.reply(datetime.combine(again, WORK_START) + timedelta(minutes=rng.randint(0, 540)), unit, handler)

    # ------------------------------------------------------------ disclosure

    def plan_publication(self, accepted: datetime) -> None:
        self.publish_at = None
        if self.row["publish_consent"] and self.rng.random() < PUBLISH_SHARE:
            self.publish_at = self.staff_after(accepted, self.rng.randint(1, 5))

    def public_texts(self) -> tuple[str, str]:
        """Title and summary as the supervisor publishes them (晒问题): masked, about the enterprise."""
        terms = self.enterprise.terms
        summary = redact(self.description, terms).replace("我公司", "该企业").replace("我们", "企业")
        if summary.startswith("公司"):
            summary = "该企业" + summary[2:]
        return redact(self.row["title"], terms), f"{self.enterprise.label}反映：{summary}"

    def public_reply(self) -> str:
        r = self.row
        text = redact(r["reply_text"] or "", self.enterprise.terms)
        if r["rating"] is not None and r["rating"] in ("VERY_SATISFIED", "SATISFIED", "BASICALLY_SATISFIED"):
            rating = next(v for v, name in RATING_NAMES.items() if name == r["rating"])
            return text + f"企业评价：{RATING_WORDS[rating]}。"
        if r["rating"] is not None:
            return text + "经营商办复核，维持办理结果。"
        return text + "企业未在规定时间内评价，按期办结。"

    def publish(self, state: str) -> None:
        r, tl, now = self.row, self.timeline, self.w.now
        if getattr(self, "publish_at", None) is None or self.publish_at > now:
            return
        if State(state) not in clocks.PUBLISHABLE:
            return
        r["published_at"] = self.publish_at
        r["public_title"], r["public_summary"] = self.public_texts()
        tl.insert(self.publish_at, "publish", self.supervisor, {"republished": False})
        texts = [r["public_title"], r["public_summary"]]
        if state == "closed" and self.rng.random() < RESULT_SHARE:
            at = self.staff_after(max(r["closed_at"], self.publish_at), self.rng.choice((0, 1, 2)))
            if at <= now:
                r["public_reply"], r["result_published_at"] = self.public_reply(), at
                tl.insert(at, "publish_result", self.supervisor, {"republished": False})
                texts.append(r["public_reply"])
        unit = self.w.units.get(r["lead_unit_id"])
        texts += [self.category.full_name, self.w.areas.get(r["area_id"], ""), unit[0] if unit else ""]
        r["search_doc"] = search.document(texts) or None

    # ------------------------------------------------------------ the rows

    def finish(self) -> tuple[tuple, list[tuple]]:
        r, tl = self.row, self.timeline
        state = next(e[3] for e in reversed(tl.events) if e[3] is not None)
        self.publish(state)
        if r["overdue_at"] is None and clocks.HANDLE.late(State(state), r["handle_due"], self.w.now):
            r["overdue_at"] = r["handle_due"]  # as the deadline job flags it (clocks.mark_overdue)
        r["state"] = state
        events, current = [], None
        for at, actor, action, to_state, note, public, data in sorted(tl.events, key=lambda e: e[0]):
            to_state = to_state or current
            events.append(
                (
                    self.id,
                    at,
                    actor,
                    action,
                    current,
                    to_state,
                    note,
                    public,
                    json.dumps(data) if data is not None else None,
                )
            )
            current = to_state
        r["version"] = len(events)
        return tuple(r[c] for c in TICKET_COLUMNS), events


CO_UNIT_COLUMNS = ("ticket_id", "unit_id", "state", "handle_due")


def co_unit_rows(world: World, rows: Sequence[tuple]) -> list[tuple]:
    """:data:`CO_UNIT_COLUMNS` for the co-units of dispatched tickets (``routing.co_units_for``), with
    the copies of the ticket's state and handling due date (``supervise.domain.co_copies``)."""
    by_id = {c.id: c for c in world.categories}
    index_category, index_unit = TICKET_COLUMNS.index("category_id"), TICKET_COLUMNS.index("lead_unit_id")
    index_state, index_due = TICKET_COLUMNS.index("state"), TICKET_COLUMNS.index("handle_due")
    pairs = []
    for row in rows:
        lead = row[index_unit]
        if lead is not None:
            copies = (row[index_state], row[index_due])
            pairs += [(row[0], u, *copies) for u in by_id[row[index_category]].co_units if u != lead]
    return pairs


def batch(world: World, first_id: int, entries: Sequence[int], seed: int) -> tuple[list[tuple], list[tuple]]:
    """The ticket rows and event rows of tickets ``first_id`` .. ``first_id + len(entries) - 1``."""
    rng = random.Random(seed)
    tickets, events = [], []
    planned = [unpack(world, e) for e in entries]
    for position, (created_at, scenario) in enumerate(planned):
        ticket_id = first_id + position
        target = None
        if scenario == "merged":
            if position == 0:
                scenario = "declined"
            else:
                back = rng.randint(1, min(200, position))
                target = (ticket_id - back, tracking_number(ticket_id - back, planned[position - back][0]))
        row, timeline = Story(world, rng, ticket_id, created_at, scenario, target).tell()
        tickets.append(row)
        events += timeline
    return tickets, events
