"""Each demo ticket's story: the scenario it ends in and the steps that take it there, with the
working days between them (:mod:`.timing` then places them in time).

Every choice is drawn from the demo's one ``random.Random`` in a fixed order: reordering the draws
changes the demo.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from supervise import seed_data as D
from supervise.models import Category, Enterprise, Source, Ticket, User

# How the demo tickets end up: (scenario, share). Every scenario appears at least once.
SCENARIOS = [
    ("closed", 0.55),
    ("closed_reopened", 0.03),
    ("closed_upheld", 0.025),
    ("closed_unrated", 0.035),
    ("declined", 0.05),
    ("merged", 0.02),
    ("submitted", 0.025),
    ("awaiting_dispatch", 0.02),
    ("dispatched", 0.03),
    ("returned", 0.015),
    ("in_progress", 0.07),
    ("in_progress_overdue", 0.04),
    ("awaiting_material", 0.02),
    ("replied", 0.025),
    ("awaiting_rating", 0.03),
    ("rating_review", 0.015),
]
FINAL_SCENARIOS = {"closed", "closed_reopened", "closed_upheld", "closed_unrated", "declined"}
OPEN_HANDLING = ("in_progress", "in_progress_overdue")
HANDLE_DAYS = {"simple": 5, "standard": 15, "complex": 30}


@dataclass
class Step:
    action: str
    actor: str  # supervisor | handler | leader | co_handler | enterprise | system
    wd: int  # working days after the previous step (calendar days for the enterprise); 0: later that day
    frac: float  # where in the day (or how much later) it happens
    kind: str = "staff"  # staff | enterprise | after_rate_due
    data: dict | Callable[[Ticket, datetime], dict] = field(default_factory=dict)
    at: datetime | None = None


@dataclass
class Plan:
    scenario: str
    source: Source
    enterprise: Enterprise
    category: Category
    supervisor: User
    template: tuple[str, str]
    steps: list[Step] = field(default_factory=list)
    idle: int = 0  # working days from the last step to today (open tickets)
    idle_calendar: bool = False
    consent: bool = True
    start_frac: float = 0.5
    created_at: datetime | None = None
    facts: dict = field(default_factory=dict)
    decline: tuple | None = None
    target: "Plan | None" = None  # merged tickets: the ticket they are merged into
    ticket: Ticket | None = None


def _wd(groups: list[list[Step]]) -> int:
    return sum(step.wd for group in groups for step in group)


class Planning:
    """The steps of every scenario (a part of :class:`supervise.seed.demo.Demo`); the single steps
    come from :class:`supervise.seed.steps.Steps`."""

    def _steps(self, plan: Plan) -> None:
        """The steps of ``plan``'s scenario, with the working days between them. Each phase returns True
        when the scenario stops there (an open ticket)."""
        rng, s = self.rng, self._step
        if plan.scenario == "submitted":
            plan.idle = rng.choice([0, 0, 1, 1, 3])
            return
        if plan.scenario == "declined":
            plan.steps.append(
                s(
                    "decline",
                    "supervisor",
                    rng.choice([0, 1, 1, 2]),
                    data={"reason": plan.decline[3], "note": plan.decline[4]},
                )
            )
            return
        publish = plan.consent and rng.random() < (0.85 if plan.scenario in FINAL_SCENARIOS else 0.5)
        handle_days = HANDLE_DAYS[self.specs[plan.category.name]["limit"].value]
        if self._accepted(plan):
            return
        alternatives = self._alternatives(plan)
        if self._dispatched(plan, alternatives, publish) or self._returned(plan, alternatives):
            return
        plan.steps.append(s("sign", "handler", rng.choice([0, 0, 0, 1, 1, 1, 2])))
        budget, elapsed = self._handling(plan, handle_days)
        if self._left_open(plan, budget, elapsed) or self._replied(plan, budget, elapsed):
            return
        self._closed(plan, publish)

    def _accepted(self, plan: Plan) -> bool:
        """The supervisor accepts (to a unit of their choice for some connection types)."""
        rng = self.rng
        accept = {"note": rng.choice(D.ACCEPT_NOTES)}
        area_ruled = {(c, a) for c, a, *_ in D.AREA_RULES}
        chosen = D.ACCEPT_TO.get(plan.template[0])
        if chosen and (plan.category.name, plan.enterprise.area.name) not in area_ruled:
            accept = {"unit_id": self.units[chosen].id, "note": "按报装类型转相关单位办理。"}
        plan.steps.append(self._step("accept", "supervisor", rng.choice([0, 0, 1, 1, 1, 2, 3]), data=accept))
        if plan.scenario == "awaiting_dispatch":
            plan.idle = rng.choice([0, 1, 2])
            return True
        return False

    def _dispatched(self, plan: Plan, alternatives: list[str], publish: bool) -> bool:
        """Dispatch (categories without a lead unit), then moderate the public texts when consented."""
        rng, s, steps = self.rng, self._step, plan.steps
        if self._queue_category(plan.category):
            steps.append(
                s(
                    "dispatch",
                    "supervisor",
                    rng.choice([0, 1]),
                    data=lambda t, at, alt=alternatives: {"unit_id": self._other_unit(t, alt).id},
                )
            )
        if publish:
            if "{officer}" in plan.template[1]:
                steps.append(
                    s("add_redaction_term", "supervisor", 0, data=lambda t, at, p=plan: {"term": p.facts["officer"]})
                )
            steps.append(
                s("publish", "supervisor", rng.choice([0, 1, 2]), data=lambda t, at, p=plan: self._public(p, t))
            )
        if plan.scenario == "dispatched":
            plan.idle = rng.choice([0, 0, 1, 2, 3])
            return True
        return False

    def _returned(self, plan: Plan, alternatives: list[str]) -> bool:
        """Sometimes the unit returns the ticket; the supervisor dispatches it elsewhere or insists."""
        rng, s, steps = self.rng, self._step, plan.steps
        if not (plan.scenario == "returned" or (plan.scenario in FINAL_SCENARIOS and rng.random() < 0.07)):
            return False
        reason, basis = rng.choice(D.RETURNS)
        steps.append(s("return", "handler", rng.choice([0, 1]), data={"reason": reason, "basis": basis}))
        if plan.scenario == "returned":
            plan.idle = rng.choice([0, 1])
            return True
        if rng.random() < 0.6:
            steps.append(
                s(
                    "dispatch",
                    "supervisor",
                    rng.choice([0, 1]),
                    data=lambda t, at, alt=alternatives: {
                        "unit_id": self._other_unit(t, alt).id,
                        "note": "改派至职责单位办理。",
                    },
                )
            )
        else:
            steps.append(
                s("reject_return", "supervisor", rng.choice([0, 1]), data={"note": rng.choice(D.REJECT_RETURN_NOTES)})
            )
        return False

    def _handling(self, plan: Plan, handle_days: int) -> tuple[int, int]:
        """Notes, material, extensions and orders while handling, within the scenario's budget of
        working days; returns ``(budget, elapsed)``."""
        rng, steps = self.rng, plan.steps
        gap = max(1, handle_days // 5)  # working days between two steps while handling
        groups = [
            [
                self._step(
                    "note",
                    rng.choice(["handler", "handler", "co_handler"]),
                    rng.randint(1, gap),
                    data=self._note_data(),
                )
            ]
            for _ in range(rng.choice([0, 1, 1, 2, 3]))
        ]
        groups = self._episodes(plan.scenario, groups, gap)
        rng.shuffle(groups)
        budget, on_time = self._budget(plan.scenario, handle_days)
        clock_start = max(i for i, step in enumerate(steps) if step.action in ("accept", "dispatch"))
        elapsed = sum(step.wd for step in steps[clock_start + 1 :])  # the handling clock runs from dispatch
        while on_time and groups and elapsed + _wd(groups) >= budget:
            groups.pop()
        steps.extend(step for group in groups for step in group)
        return budget, elapsed + _wd(groups)

    def _episodes(self, scenario: str, groups: list[list[Step]], gap: int) -> list[list[Step]]:
        """The scenario's material requests, extensions and supervision orders, added to ``groups``."""
        if scenario == "awaiting_material":
            return groups[:1]
        if scenario in OPEN_HANDLING:
            return groups + self._open_episodes(scenario, gap)
        rng, found = self.rng, []
        if rng.random() < 0.10:
            found.append(self._material(gap))
        if rng.random() < 0.08:
            found.append(self._extension(rng.random() < 0.7, gap))
        if rng.random() < 0.08:
            found.append(self._order(True, gap))
        return groups + found

    def _open_episodes(self, scenario: str, gap: int) -> list[list[Step]]:
        """A ticket still in progress: an undecided extension or an order; an overdue one, more orders."""
        rng, found = self.rng, []
        if scenario == "in_progress":
            if rng.random() < 0.3:
                found.append(self._extension(None, gap))
            if rng.random() < 0.3:
                found.append(self._order(rng.random() < 0.5, gap))
            return found
        if rng.random() < 0.7:
            found.append(self._order(rng.random() < 0.5, gap))
        if rng.random() < 0.25:
            found.append(self._extension(False, gap))
        return found

    def _budget(self, scenario: str, handle_days: int) -> tuple[int, bool]:
        """Working days from signing to the reply (or, for open tickets, to today); most are on time."""
        rng = self.rng
        if scenario == "in_progress_overdue":
            return handle_days + rng.randint(1, 10), False
        if scenario == "in_progress" and rng.random() < 0.3:
            return handle_days - rng.randint(0, 2), True  # due within two working days: yellow
        if scenario == "in_progress":
            return rng.randint(2, max(3, handle_days - 3)), True
        if rng.random() < 0.12:
            return handle_days + rng.randint(1, 8), False
        return rng.randint(max(2, handle_days // 5), max(3, int(handle_days * 0.85))), True

    def _left_open(self, plan: Plan, budget: int, elapsed: int) -> bool:
        """Tickets still being handled, or waiting for the enterprise's material."""
        rng = self.rng
        if plan.scenario in OPEN_HANDLING:
            plan.idle = max(1, budget - elapsed)
            return True
        if plan.scenario == "awaiting_material":
            plan.steps.append(
                self._step(
                    "request_material", "handler", rng.randint(1, 3), data={"note": rng.choice(D.MATERIAL_REQUESTS)}
                )
            )
            plan.idle = rng.randint(0, 4)
            return True
        return False

    def _replied(self, plan: Plan, budget: int, elapsed: int) -> bool:
        """The reply (sometimes sent back once), the supervisor's approval, and the wait for a rating."""
        rng, s, steps = self.rng, self._step, plan.steps
        steps.append(s("reply", "handler", max(1, budget - elapsed), data=self._reply_data(plan)))
        if rng.random() < 0.07:
            steps.append(s("send_back", "supervisor", rng.choice([0, 1]), data={"note": rng.choice(D.SEND_BACK_NOTES)}))
            steps.append(s("reply", "handler", rng.randint(1, 3), data=self._reply_data(plan, resolved=True)))
        if plan.scenario == "replied":
            plan.idle = rng.choice([0, 1])
            return True
        steps.append(s("approve_reply", "supervisor", rng.choice([0, 0, 1, 2])))
        if plan.scenario == "awaiting_rating":
            plan.idle, plan.idle_calendar = rng.randint(0, 5), True
            return True
        return False

    def _closed(self, plan: Plan, publish: bool) -> None:
        """How the rating ends it (unrated, reviewed, upheld, reopened), and the public result."""
        rng, s, steps = self.rng, self._step, plan.steps
        scenario = plan.scenario
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
            self._reopened(plan)
        else:
            steps.append(s("rate", "enterprise", rng.randint(0, 5), "enterprise", data=self._rating(good=True)))
        if publish and rng.random() < 0.9:
            steps.append(
                s(
                    "publish_result",
                    "supervisor",
                    rng.choice([0, 1, 2, 3]),
                    data=lambda t, at, p=plan: {"public_reply": self._public_reply(p, t)},
                )
            )

    def _reopened(self, plan: Plan) -> None:
        rng, s, steps = self.rng, self._step, plan.steps
        steps.append(s("rate", "enterprise", rng.randint(0, 5), "enterprise", data=self._rating(good=False)))
        steps.append(s("reopen", "supervisor", rng.randint(1, 2), data={"note": rng.choice(D.REOPEN_NOTES)}))
        steps.append(
            s(
                "note",
                "handler",
                rng.randint(1, 3),
                data={"note": "已与企业当面沟通，重新制定办理方案。", "public": True},
            )
        )
        steps.append(s("reply", "handler", rng.randint(2, 6), data=self._reply_data(plan, resolved=True)))
        steps.append(s("approve_reply", "supervisor", rng.choice([0, 1])))
        steps.append(s("rate", "enterprise", rng.randint(0, 4), "enterprise", data=self._rating(good=True)))
