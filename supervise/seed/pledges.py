"""The demo's liaison pledges (包联 亮身份、亮承诺): a dozen cadres' cards and pledges, a year of
visits to their enterprises, the enterprises' yearly ratings and the chief service officers'
projects, all told through :mod:`supervise.domain.pledges`."""

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select

from supervise import seed_data as D
from supervise.domain import pledges
from supervise.extensions import db
from supervise.models import Enterprise, LiaisonPair, Role, Source, Ticket, Unit, User, VisitWay
from supervise.seed.accounts import Names, demo_user, mobile, shared_hash

SEED = 545  # the seed article's 545 cadres

# username, unit slug and the enterprise numbers (1-based) of the cadres the demo adds to the three
# of seed_data.CADRES, so that a dozen cards show.
MORE_CADRES: list[tuple[str, str, list[int]]] = [
    ("cadre4", "econ", [1, 4, 7]),
    ("cadre5", "approval", [8, 10]),
    ("cadre6", "tech", [12, 13, 15]),
    ("cadre7", "market", [16, 17]),
    ("cadre8", "housing", [19, 20, 21]),
    ("cadre9", "finance", [22, 23]),
    ("cadre10", "tax", [24, 25, 26]),
    ("cadre11", "dongfeng", [6, 10, 22]),
    ("cadre12", "mizhuang", [11, 26]),
]
# The first three cadres' units.
FIRST_UNITS = {"cadre1": "econ", "cadre2": "approval", "cadre3": "tech"}
TITLES = ["局长", "副局长", "党组成员", "科长", "副科长", "一级主任科员", "街道办事处副主任", "二级主任科员"]
PLEDGES = [
    "一、企业有诉求，24小时内回应、3个工作日内上门；\n二、每月至少走访一次，问题不解决不撒手；\n三、不吃企业一顿饭、不拿企业一分钱。",
    "当好企业的“店小二”：政策送上门、难题马上办、全程帮代办，做到有求必应、无事不扰。",
    "企业的事就是我的事。我承诺：电话随时接、问题当天记、办理有回音、结果有反馈，请企业监督。",
    "亮身份、亮承诺、亮服务：每季度组织一次政策宣讲，帮助企业用足用好各项惠企政策，确保补贴资金按时兑现。",
    "坚持“四个一”：一把手带头、第一时间响应、第一现场解决、一直到问题解决。",
    "承诺做到“三个不让”：不让企业的诉求在我这里耽误，不让企业的困难在我这里卡壳，不让企业的形象在我这里受损。",
]
SUMMARIES = [
    "走访了解生产经营情况，企业反映用工需求较大，已对接人社部门招聘会。",
    "电话回访上月反映的问题办理进展，企业表示已基本解决。",
    "上门宣讲研发费用加计扣除等惠企政策，协助企业准备申报材料。",
    "了解到企业新厂房施工许可办理较慢，已协调行政审批局提前介入。",
    "线上视频沟通，企业反映物流车辆通行不便，已记录并反馈交通部门。",
    "走访企业负责人，听取对营商环境的意见建议，企业对近期服务表示满意。",
    "协助企业对接银行融资需求，推荐纳入“科技贷”支持名单。",
]
COMMENTS = ["服务热情，有求必应。", "走访勤，问题反馈及时。", "政策讲解清楚，帮了大忙。", "", "希望多来走访。", ""]
PROJECTS = {
    "cadre1": [("新能源汽车电驱系统产业园项目", "主体施工"), ("高端轴承智能制造基地项目", "设备安装")],
    "cadre2": [("生物医药创新园二期项目", "规划许可")],
    "cadre3": [
        ("半导体材料研发中心项目", "竣工验收"),
        ("储能电池模组生产线项目", "试生产"),
        ("智慧物流园项目", "土地出让"),
    ],
}
WAYS = [VisitWay.ON_SITE] * 3 + [VisitWay.PHONE, VisitWay.ONLINE]
UNPUBLISHED = "cadre12"  # the console shows a card waiting to be published
IDLE = ("cadre7", "cadre10")  # no visit this quarter: the console lists them


def _add_cadres(rng: random.Random, now: datetime) -> None:
    """The cadres beyond seed_data.CADRES, paired with their enterprises (as an administrator would)."""
    users = {u.username: u for u in db.session.scalars(select(User))}
    names = Names(rng, {u.name for u in users.values()})
    enterprises = list(db.session.scalars(select(Enterprise).order_by(Enterprise.id)))
    password_hash = shared_hash()
    since = now - timedelta(days=380)
    for username, _unit, numbers in MORE_CADRES:
        if username in users:
            continue
        cadre = demo_user(
            username,
            names(),
            Role.CADRE,
            password_hash,
            since,
            mobile=mobile(rng),
            email=f"{username}@xygxq.example",
        )
        db.session.flush()
        for number in numbers:
            if number <= len(enterprises):
                db.session.add(
                    LiaisonPair(cadre_id=cadre.id, enterprise_id=enterprises[number - 1].id, created_at=since)
                )
    db.session.flush()


def _visit_days(rng: random.Random, today: date, idle: bool) -> list[date]:
    """About one visit a month to an enterprise since January; none this quarter for an idle cadre."""
    end = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1) - timedelta(days=1) if idle else today
    days = []
    for month in range(1, end.month + 1):
        if rng.random() < 0.75:
            last = (date(today.year, month % 12 + 1, 1) if month < 12 else date(today.year + 1, 1, 1)) - timedelta(1)
            days.append(date(today.year, month, rng.randint(1, min(last.day, 28))))
    return [d for d in days if d <= end]


def _visits(rng: random.Random, cadre: User, today: date) -> None:
    """A year of visits to each paired enterprise; the complaints the cadre filed on a visit are linked."""
    idle = cadre.username in IDLE
    for enterprise in pledges.paired_enterprises(cadre):
        for day in _visit_days(rng, today, idle):
            way = rng.choice(WAYS)
            pledges.log_visit(cadre, enterprise, visited_on=day, way=way, summary=rng.choice(SUMMARIES))
    filed = db.session.scalars(
        select(Ticket).where(Ticket.filed_by_id == cadre.id, Ticket.source == Source.VISIT).order_by(Ticket.id).limit(6)
    )
    for ticket in filed:
        if ticket.created_at.year == today.year and not idle:
            pledges.log_visit(
                cadre,
                ticket.enterprise,
                visited_on=ticket.created_at.date(),
                way=VisitWay.ON_SITE,
                summary=f"走访中企业反映：{ticket.title}。已当场代为提交诉求。",
                tracking_no=ticket.tracking_no,
            )


def _ratings(rng: random.Random, cadre: User, year: int) -> None:
    """Last year's and this year's ratings by the paired enterprises that have an account; ent01 leaves
    this year's rating of its first cadre to the demo."""
    for enterprise in pledges.paired_enterprises(cadre):
        rater = db.session.scalar(
            select(User).where(User.enterprise_id == enterprise.id, User.role == Role.ENTERPRISE).order_by(User.id)
        )
        if rater is None or not rater.is_verified:
            continue
        for rated_year in (year - 1, year):
            if rated_year == year and rater.username == "ent01" and cadre.username == "cadre1":
                continue
            score = rng.choices([5, 4, 3, 2], weights=[6, 4, 1, 0.3])[0]
            rating = pledges.rate_service(rater, cadre, score=score, comment=rng.choice(COMMENTS), year=rated_year)
            rating.rated_at = datetime(rated_year, 12, 1, 10) if rated_year < year else rating.rated_at


def load_pledges(now: datetime) -> None:
    """A dozen cadres' cards, published by the office (one waits), their visits, ratings and projects."""
    rng = random.Random(SEED)
    _add_cadres(rng, now)
    units = {slug: name for slug, name, *_ in D.UNITS}
    by_name = {u.name: u for u in db.session.scalars(select(Unit))}
    unit_of = {**FIRST_UNITS, **{username: slug for username, slug, _n in MORE_CADRES}}
    supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
    cadres = db.session.scalars(select(User).where(User.role == Role.CADRE).order_by(User.id))
    for index, cadre in enumerate(cadres):
        unit = by_name.get(units.get(unit_of.get(cadre.username, ""), ""))
        pledge = PLEDGES[index % len(PLEDGES)]
        card = pledges.save_card(
            cadre, unit=unit, title=TITLES[index % len(TITLES)], pledge=pledge, phone=cadre.mobile or ""
        )
        card.updated_at = now - timedelta(days=rng.randint(20, 200))
        for name, stage in PROJECTS.get(cadre.username, []):
            pledges.add_project(cadre, name, stage)
        _visits(rng, cadre, now.date())
        _ratings(rng, cadre, now.year)
        if supervisor is not None and cadre.username != UNPUBLISHED:
            pledges.set_published(supervisor, card, True)
    db.session.flush()
