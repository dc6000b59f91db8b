"""The demo's campaigns (专项活动): one a quarter over the past year, told through the campaign rules —
cadres' and units' visits (some with "no problem"), enterprises' answers to the questionnaire, a
forum — whose problems are filed as tagged tickets and then handled like the other demo tickets
(each gets a demo story, :mod:`.plans`, replayed through the state machine)."""

from datetime import date, datetime, time, timedelta
from typing import Any

from supervise.domain import campaigns, workflow
from supervise.extensions import db
from supervise.models import Campaign, Enterprise, Source, User
from supervise.models.campaign import SIZES
from supervise.seed.plans import SCENARIOS, Plan

#: (theme, targets) of each quarter's campaign, oldest first; targets: None (all) or Setup fields.
CAMPAIGNS: list[tuple[str, dict[str, Any]]] = [
    ("稳岗用工、子女入学专题", {}),
    ("制造业企业政策兑现专题", {"industries": ["制造业"]}),
    ("重点片区项目建设专题", {"areas": ["东风街道", "紫贞街道", "刘集街道"]}),
    ("规上企业营商环境专题", {"sizes": ["large", "medium"]}),
]
QUESTIONS = [
    "企业当前最急需政府协调解决的问题是什么？",
    "对区直部门服务效率和作风有何意见建议？",
    "惠企政策是否知晓并已享受？",
]
VISITING_UNITS = ["hr", "econ", "tech", "approval"]
PROBLEMS_PER_CAMPAIGN = 10
NO_PROBLEM_VISITS = 5
ANSWERS_PER_CAMPAIGN = 4
PEOPLE_MET = ["总经理", "董事长", "行政人事负责人", "财务总监", "项目负责人", "生产副总"]
ANSWERS = ["暂无", "希望加快审批进度", "政策宣传还需加强", "服务态度好，响应及时", "已享受部分政策"]
# Campaign problems end in every state, most of them resolved.
SCENARIO_WEIGHTS = [(name, share) for name, share in SCENARIOS if name != "merged"]


def _quarters(today: date) -> list[tuple[int, int]]:
    """The four quarters ending with today's, oldest first."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    found = []
    for _ in range(4):
        found.append((year, quarter))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return found[::-1]


def _bounds(year: int, quarter: int) -> tuple[datetime, datetime]:
    start = datetime(year, 3 * quarter - 2, 1)
    end = datetime(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return start, end


class DemoCampaigns:
    """The campaigns of one demo run, drawing on the demo's plans, timing, texts and actors."""

    def __init__(self, demo):
        self.demo = demo
        self.rng = demo.rng
        self.cadres = sorted({c for c in demo.cadre_of.values()}, key=lambda u: u.id)
        self.units = [demo.units[slug] for slug in VISITING_UNITS]

    def load(self) -> None:
        for i, enterprise in enumerate(self.demo.enterprises):
            enterprise.size = SIZES[min(i % 7, 3)]  # a few large and medium ones, most small or micro
        quarters = _quarters(self.demo.today)
        for (theme, targets), (year, quarter) in zip(CAMPAIGNS, quarters, strict=True):
            self._campaign(theme, targets, year, quarter, last=(year, quarter) == quarters[-1])
        db.session.flush()

    def _campaign(self, theme: str, targets: dict, year: int, quarter: int, last: bool) -> None:
        start, end = _bounds(year, quarter)
        areas = [self.demo.areas[name].id for name in targets.get("areas", [])]
        setup = campaigns.Setup(
            name=f"{year}年第{quarter}季度“刀刃向内找问题、倾听心声谋发展”主题活动",
            year=year,
            quarter=quarter,
            theme=theme,
            description="每季度面向市场主体开展一次，主动查摆问题，通过媒体公开晒问题、晒结果，接受监督。",
            target_all=not targets,
            area_ids=areas,
            industries=targets.get("industries", []),
            sizes=targets.get("sizes", []),
            units=self.units,
            cadres=self.cadres,
            questions=QUESTIONS,
        )
        supervisor = self.demo.supervisors[0]
        campaign = campaigns.save_campaign(None, setup, supervisor)
        campaign.created_at = start - timedelta(days=5)
        campaigns.open_campaign(campaign, supervisor, at=start)
        window = (start, min(end, self.demo.now - timedelta(days=1)))
        targeted = campaigns.target_choices(campaign, limit=1000)
        # Someone must answer for the company on its tickets (rate them): an account, or its cadre.
        answerable = [e for e in targeted if self.demo.filers.get(e.id) or e.id in self.demo.cadre_of]
        for _ in range(PROBLEMS_PER_CAMPAIGN):
            self._problem_visit(campaign, answerable, window)
        for _ in range(NO_PROBLEM_VISITS):
            self._quiet_visit(campaign, targeted, window)
        self._answers(campaign, targeted, window)
        self._forum(campaign, answerable, window, supervisor)
        if not last:
            campaigns.close_campaign(campaign, supervisor, at=end - timedelta(days=1))

    # ------------------------------------------------------------ problems, each a demo story

    def _story(self, enterprise: Enterprise, source: Source, window) -> Plan | None:
        """A demo story for a problem of ``enterprise`` filed inside ``window``; None when none fits."""
        names = [n for n, _s in SCENARIO_WEIGHTS]
        weights = [s for _n, s in SCENARIO_WEIGHTS]
        for _ in range(40):
            scenario = self.rng.choices(names, weights=weights)[0]
            plan = self.demo._plan(scenario, source, set(names))  # no story is the demo accounts' favourite
            plan.enterprise = enterprise
            self.demo._fit(plan)
            if window[0] <= plan.created_at < window[1]:
                self.demo._fill_texts(plan)
                return plan
        return None

    def _replay(self, plan: Plan, ticket) -> None:
        plan.ticket = ticket
        for step in plan.steps:
            data: Any = step.data(ticket, step.at) if callable(step.data) else step.data
            actor = self.demo._actor(step.actor, plan, ticket)
            workflow.perform(ticket, step.action, actor, at=step.at, **data)
            if step.action == "request_extension":
                db.session.flush()

    def _problem(self, plan: Plan) -> campaigns.Problem:
        return campaigns.Problem(plan.category, plan.facts["title"], plan.facts["full_description"])

    def _visitor(self, enterprise: Enterprise) -> User:
        cadre = self.demo.cadre_of.get(enterprise.id)
        if cadre is not None and self.rng.random() < 0.7:
            return cadre
        if self.rng.random() < 0.5:
            return self.rng.choice(self.cadres)
        return self.demo.handlers[self.rng.choice(self.units).id]

    def _problem_visit(self, campaign: Campaign, targeted: list[Enterprise], window) -> None:
        enterprise = self.rng.choice(targeted)
        plan = self._story(enterprise, Source.VISIT, window)
        if plan is None:
            return
        _visit, (ticket,) = campaigns.record_visit(
            campaign,
            self._visitor(enterprise),
            enterprise,
            plan.created_at.date(),
            f"{enterprise.contact_name}（{self.rng.choice(PEOPLE_MET)}）",
            [self._problem(plan)],
            at=plan.created_at,
        )
        self._replay(plan, ticket)

    def _quiet_visit(self, campaign: Campaign, targeted: list[Enterprise], window) -> None:
        enterprise = self.rng.choice(targeted)
        at = self._moment(window)
        campaigns.record_visit(
            campaign,
            self._visitor(enterprise),
            enterprise,
            at.date(),
            f"{enterprise.contact_name}（总经理）",
            [],
            at=at,
        )

    def _moment(self, window) -> datetime:
        start, end = window
        day = start.date() + timedelta(days=self.rng.randint(0, max(0, (end - start).days - 1)))
        day = self.demo.cal.add_working_days(day, 0)
        at = datetime.combine(day, time(9, 30)) + timedelta(minutes=self.rng.randint(0, 420))
        return min(at, end - timedelta(hours=1))

    def _answers(self, campaign: Campaign, targeted: list[Enterprise], window) -> None:
        with_accounts = [e for e in targeted if self.demo.filers.get(e.id)]
        for enterprise in self.rng.sample(with_accounts, min(ANSWERS_PER_CAMPAIGN, len(with_accounts))):
            user = self.demo.filers[enterprise.id][0]
            plan = self._story(enterprise, Source.CAMPAIGN, window) if self.rng.random() < 0.5 else None
            at = plan.created_at if plan else self._moment(window)
            answers = {q: self.rng.choice(ANSWERS) for q in QUESTIONS}
            _answer, tickets = campaigns.answer_questionnaire(
                campaign, user, answers, [self._problem(plan)] if plan else [], at=at
            )
            if plan:
                self._replay(plan, tickets[0])

    def _forum(self, campaign: Campaign, targeted: list[Enterprise], window, supervisor: User) -> None:
        enterprise = self.rng.choice(targeted)
        plan = self._story(enterprise, Source.CAMPAIGN, window)
        at = plan.created_at if plan else self._moment(window)
        _forum, tickets = campaigns.record_forum(
            campaign,
            supervisor,
            at.date(),
            "高新区管委会三楼会议室",
            "区直部门负责人、企业代表12人",
            "围绕用工、融资、政策兑现等问题座谈交流，现场答复一批，会后交办一批。",
            [(enterprise, self._problem(plan))] if plan else [],
            at=at,
        )
        if plan:
            self._replay(plan, tickets[0])


def load_campaigns(demo) -> None:
    """Four campaigns, one a quarter, ending with the current quarter's (still open)."""
    DemoCampaigns(demo).load()
