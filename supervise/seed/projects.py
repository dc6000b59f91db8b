"""Demo key projects: twenty projects with their service teams and milestones (some late), twelve
months of monthly reports (some late, some missing), and blockers — some turned into tickets and
supervision orders, some cleared — all told through the projects' own domain functions."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from supervise.domain import workflow
from supervise.domain.projects import ProjectSpec, blockers, register, reports
from supervise.extensions import db
from supervise.models import Category, Role

PROJECTS = [
    ("襄阳新能源汽车电驱系统产业化项目", "新能源汽车", "42.00"),
    ("高端轴承智能制造基地", "高端装备", "18.50"),
    ("锂电池正极材料一体化项目", "新材料", "35.00"),
    ("汽车电子功率模块封装测试项目", "电子信息", "12.80"),
    ("生物医药原料药绿色生产基地", "生物医药", "9.60"),
    ("氢燃料电池电堆研发及生产项目", "新能源汽车", "15.00"),
    ("智能网联汽车测试场二期", "新能源汽车", "8.20"),
    ("航空航天复合材料构件项目", "高端装备", "11.30"),
    ("光伏组件智能工厂", "节能环保", "20.00"),
    ("工业互联网产业园", "电子信息", "6.50"),
    ("精密铸造数字化车间改造项目", "高端装备", "3.80"),
    ("医疗器械产业园一期", "生物医药", "7.40"),
    ("新型显示模组生产线", "电子信息", "16.00"),
    ("再生资源循环利用基地", "节能环保", "5.60"),
    ("储能电池系统集成项目", "新能源汽车", "24.00"),
    ("高性能铝合金型材项目", "新材料", "9.00"),
    ("数控机床整机及功能部件项目", "高端装备", "7.80"),
    ("冷链物流智慧园区", "现代物流", "4.50"),
    ("半导体专用设备零部件项目", "电子信息", "13.20"),
    ("农产品精深加工产业园", "食品加工", "3.20"),
]
MILESTONES = ["项目签约", "土地挂牌供地", "开工建设", "主体结构封顶", "设备安装调试", "竣工投产"]
PROGRESS = [
    "完成场地平整和临时设施建设。",
    "桩基工程完成，主体结构施工中。",
    "钢结构厂房吊装完成，屋面施工中。",
    "主要生产设备已进场，正在安装。",
    "完成设备单机调试，准备联动试车。",
    "办公楼装修和配套道路施工中。",
]
BLOCKERS = [
    ("stuck", "施工用电增容申请迟迟未批复，影响设备调试。"),
    ("jam", "项目周边道路未打通，大型设备运输受阻。"),
    ("hard", "高端技术工人招聘困难，缺口约60人。"),
    ("stuck", "规划许可变更审批时间较长。"),
    ("jam", "天然气管网接入工程进度滞后。"),
    ("hard", "环评批复前置条件较多，企业需要指导。"),
]
STAGE_BY_PERCENT = [(95, "producing"), (85, "completed"), (40, "building"), (20, "started"), (8, "land")]


def _months(today: date, count: int) -> list[str]:
    """The last ``count`` months up to this one, oldest first."""
    year, month = today.year, today.month
    found = []
    for _ in range(count):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return found[::-1]


def _stage(percent: int) -> str:
    return next((stage for floor, stage in STAGE_BY_PERCENT if percent >= floor), "signed")


def load_projects(demo) -> None:
    """The demo's key projects (``demo`` is the running :class:`~supervise.seed.demo.Demo`)."""
    rng, today, supervisor = demo.rng, demo.today, demo.supervisors[0]
    units = [u for u in demo.units.values() if u.id in demo.leaders and u.id in demo.handlers]
    categories = [c for c in demo.categories.values() if not demo._queue_category(c)]
    leaders = list(demo.leaders.values())
    months = _months(today, 12)
    for number, (name, industry, investment) in enumerate(PROJECTS):
        unit = units[number % len(units)]
        team = rng.sample([u for u in demo.handlers.values() if u.id != demo.handlers[unit.id].id], 2)
        spec = ProjectSpec(
            name=name,
            enterprise=demo.enterprises[number % len(demo.enterprises)],
            investment=Decimal(investment),
            industry=industry,
            lead_unit=unit,
            chief_officer=leaders[(number * 3) % len(leaders)],
            secretary=demo.handlers[unit.id],
            team=team,
            description=f"{name}，总投资{investment}亿元，实行“一个项目、一名领导、一个专班、一套方案”服务。",
            public=number % 5 != 4,  # four projects the zone does not publish
            investment_public=number % 3 != 2,
        )
        project = register.register_project(spec, supervisor)
        project.created_at = datetime.combine(today - timedelta(days=400), time(9))
        _milestones(demo, project, number)
        _reports(demo, project, months, categories)
    db.session.flush()
    at = demo.now
    reports.open_month(at)
    reports.late_report_warnings(at)
    reports.late_milestone_warnings(at)


def _milestones(demo, project, number: int) -> None:
    rng, today = demo.rng, demo.today
    start = today - timedelta(days=330 - 10 * number)
    for step, name in enumerate(MILESTONES):
        planned = start + timedelta(days=75 * step)
        done = None
        if planned < today:
            roll = rng.random()
            if roll < 0.6:
                done = planned - timedelta(days=rng.randint(0, 10))
            elif roll < 0.8:
                done = min(planned + timedelta(days=rng.randint(5, 40)), today)  # reached late
            # else: not reached, late
        register.add_milestone(project, name, planned, done)


def _reports(demo, project, months: list[str], categories: list[Category]) -> None:
    rng, now = demo.rng, demo.now
    secretary = project.secretary
    percent, invested = 0, Decimal("0")
    for month in months:
        report = reports.report_for(project, month, demo.cal)
        due_end = datetime.combine(report.due_on, time(17))
        roll = rng.random()
        if due_end > now:
            if roll < 0.5:
                continue  # this month's report: not due yet
            at = now - timedelta(hours=rng.randint(1, 30))
        elif roll < 0.12:
            continue  # missing
        elif roll < 0.27:
            at = due_end + timedelta(days=rng.randint(1, 8))  # late
        else:
            at = due_end - timedelta(days=rng.randint(0, 3), hours=rng.randint(0, 6))
        at = min(at, now)
        percent = min(100, percent + rng.randint(3, 12))
        invested = min(project.investment, invested + (project.investment * Decimal(rng.randint(3, 11)) / 100))
        named = [rng.choice(BLOCKERS)] if rng.random() < 0.12 else []
        data = reports.ReportInput(
            progress=rng.choice(PROGRESS),
            percent=percent,
            investment_done=invested.quantize(Decimal("0.01")),
            stage=_stage(percent),
            blockers=named,
        )
        reports.submit_report(report, data, secretary, at)
        for blocker in report.blockers:
            _follow_up(demo, blocker, at, categories)


def _follow_up(demo, blocker, at: datetime, categories: list[Category]) -> None:
    """Some blockers become tickets (some of those get an order, some are cleared), some are cleared."""
    rng, supervisor = demo.rng, demo.supervisors[0]
    roll = rng.random()
    filed = at + timedelta(days=1)
    if roll < 0.15 or filed > demo.now:
        return  # still open, not followed up yet
    if roll < 0.3:
        blockers.clear(blocker, supervisor, filed)
        return
    ticket = blockers.to_ticket(blocker, rng.choice(categories), supervisor, at=filed)
    if rng.random() < 0.5 and ticket.state in workflow.TRANSITIONS["issue_order"].sources:
        deadline = (filed + timedelta(days=7)).date()
        blockers.issue_order(
            blocker,
            rng.choice(["general", "key", "listed"]),
            deadline,
            "请牵头单位尽快协调解决。",
            supervisor,
            at=filed,
        )
    if filed + timedelta(days=45) < demo.now and ticket.lead_unit is not None and rng.random() < 0.6:
        handler = demo.handlers.get(ticket.lead_unit.id)
        if handler is not None and handler.role == Role.HANDLER:
            workflow.perform(ticket, "sign", handler, at=filed + timedelta(days=1))
            blockers.clear(blocker, supervisor, filed + timedelta(days=30))
