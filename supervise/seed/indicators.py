"""Demo data of the indicator-chief system (指标长): the evaluation's 18 indicators with their lead
units and chiefs, this year's responsibility list of 7 major and 41 minor tasks, and the months of
progress reports the units filed (most on time, some late, some missing), replayed in time order
through the domain (:func:`supervise.domain.indicators.submit_report`) with the warning job run in
between (:func:`supervise.domain.indicator_duties.task_warnings`)."""

import io
import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from supervise import storage
from supervise.domain import indicator_duties, indicators
from supervise.domain.calendar import load_calendar
from supervise.extensions import db
from supervise.models import Indicator, Task, TaskLevel, Unit, User

# name, lead unit (slug of seed_data.UNITS), last score
INDICATORS: list[tuple[str, str, float]] = [
    ("开办企业", "approval", 88.5),
    ("办理建筑许可", "housing", 79.2),
    ("获得电力", "power", 84.0),
    ("获得用水用气", "water", 76.8),
    ("登记财产", "land", 81.3),
    ("纳税", "tax", 86.1),
    ("获得信贷", "finance", 72.4),
    ("保护中小投资者", "market", 74.9),
    ("执行合同", "police", 70.6),
    ("办理破产", "finance", 68.2),
    ("跨境贸易", "econ", 71.5),
    ("劳动力市场监管", "hr", 80.7),
    ("政府采购", "finance", 83.3),
    ("招标投标", "approval", 82.0),
    ("政务服务", "approval", 87.4),
    ("知识产权创造保护和运用", "tech", 75.1),
    ("市场监管", "market", 85.6),
    ("包容普惠创新", "econ", 78.9),
]

# major task: (indicator, title, unit, deadline month, expected result, minors)
# minor task: (indicator, title, unit, co-units, deadline month, expected result)
MAJORS = [
    (
        "政务服务",
        "深化政务服务改革，提升企业办事便利度",
        "approval",
        12,
        "政务服务事项网上可办率95%以上",
        [
            (
                "开办企业",
                "企业开办全流程压缩至1个工作日内",
                "approval",
                ["market", "tax"],
                6,
                "企业开办平均用时不超过1个工作日",
            ),
            ("开办企业", "推行企业开办“一网通办、一窗通取”", "approval", ["market"], 9, "线上办理率达到90%"),
            (
                "政务服务",
                "推进“高效办成一件事”集成服务",
                "approval",
                ["hr", "market"],
                11,
                "上线集成服务事项不少于15项",
            ),
            ("政务服务", "开展“局长进大厅”帮办代办", "approval", [], 12, "每月不少于2次局长坐班"),
            ("政务服务", "拓展“跨省通办”“省内通办”事项", "approval", ["police"], 12, "新增通办事项30项"),
            ("政务服务", "建立政务服务“好差评”整改闭环", "approval", [], 9, "差评整改率100%"),
        ],
    ),
    (
        "办理建筑许可",
        "压减工程建设项目审批时间和成本",
        "housing",
        12,
        "一般社会投资项目审批不超过30个工作日",
        [
            (
                "办理建筑许可",
                "推行社会投资简易低风险项目“拿地即开工”",
                "housing",
                ["land", "approval"],
                9,
                "试点项目不少于5个",
            ),
            ("办理建筑许可", "施工图审查全面实行数字化联审", "housing", ["approval"], 6, "施工图联审线上率100%"),
            (
                "办理建筑许可",
                "推行联合验收“一次申请、一次验收”",
                "housing",
                ["land", "eco"],
                11,
                "联合验收平均用时不超过5个工作日",
            ),
            (
                "登记财产",
                "不动产登记与水电气过户联动办理",
                "land",
                ["water", "power", "gas"],
                9,
                "联动过户办理率80%以上",
            ),
            ("登记财产", "一般不动产登记压缩至3个工作日", "land", ["tax"], 6, "一般登记3个工作日内办结"),
            ("登记财产", "推行新建商品房“交房即交证”", "land", ["housing"], 12, "交房即交证项目不少于3个"),
        ],
    ),
    (
        "获得电力",
        "降低市政公用服务接入成本",
        "power",
        12,
        "低压小微企业接电零投资、零审批",
        [
            ("获得电力", "低压小微企业用电报装“三零”服务全覆盖", "power", [], 6, "160千瓦及以下低压接入全覆盖"),
            ("获得电力", "高压用户接电平均时长压减至30天以内", "power", ["approval"], 9, "高压接电平均用时不超过30天"),
            ("获得电力", "外线工程行政审批并联办理", "power", ["transport", "land"], 11, "外线审批5个工作日内办结"),
            ("获得用水用气", "用水报装环节压减至2个", "water", [], 6, "报装环节不超过2个"),
            ("获得用水用气", "用气报装推行“零材料”办理", "gas", ["approval"], 9, "零材料报装占比达到80%"),
            (
                "获得用水用气",
                "水电气网联合报装“一窗受理”",
                "approval",
                ["water", "power", "gas", "telecom"],
                12,
                "联合报装窗口正常运行",
            ),
        ],
    ),
    (
        "获得信贷",
        "降低企业融资和税费成本",
        "finance",
        12,
        "普惠小微贷款增速高于各项贷款增速",
        [
            ("获得信贷", "开展政银企对接活动", "finance", ["econ"], 9, "全年举办对接会不少于6场"),
            ("获得信贷", "扩大政府性融资担保覆盖面", "finance", [], 12, "新增担保额5亿元"),
            ("获得信贷", "推广“信易贷”平台线上融资", "finance", ["market"], 11, "平台注册企业新增300家"),
            ("纳税", "推行全面数字化电子发票", "tax", [], 6, "新办纳税人数电发票覆盖100%"),
            ("纳税", "落实结构性减税降费政策直达快享", "tax", ["finance"], 12, "减税降费政策应享尽享"),
            ("纳税", "压缩企业年纳税时间", "tax", [], 9, "年纳税时间压减至80小时以内"),
        ],
    ),
    (
        "市场监管",
        "营造公平竞争的市场环境",
        "market",
        12,
        "公平竞争审查覆盖率100%",
        [
            ("政府采购", "政府采购全流程电子化", "finance", ["approval"], 9, "电子化采购项目占比100%"),
            ("政府采购", "提高中小企业政府采购份额", "finance", [], 12, "预留份额不低于40%"),
            ("招标投标", "清理招投标领域隐性壁垒", "approval", ["housing", "finance"], 9, "清理不合理条款全部整改"),
            ("招标投标", "推行投标保证金电子保函", "approval", ["finance"], 6, "电子保函替代率80%以上"),
            (
                "市场监管",
                "推行“双随机、一公开”跨部门联合监管",
                "market",
                ["eco", "transport"],
                12,
                "联合抽查占比达到35%",
            ),
            ("保护中小投资者", "推行包容审慎监管“首违不罚”清单", "market", [], 9, "首违不罚清单动态调整"),
        ],
    ),
    (
        "执行合同",
        "强化法治化营商环境保障",
        "police",
        12,
        "涉企案件办理时限压缩20%",
        [
            ("执行合同", "开辟涉企纠纷诉前调解“绿色通道”", "police", ["econ"], 9, "诉前调解成功率达到40%"),
            ("执行合同", "规范涉企执法检查，推行“扫码入企”", "police", ["market"], 6, "扫码入企覆盖100%"),
            ("办理破产", "建立府院联动破产处置协调机制", "finance", ["econ"], 11, "出台协调工作办法"),
            ("知识产权创造保护和运用", "开展知识产权质押融资入园惠企", "tech", ["finance"], 11, "质押融资额1亿元"),
            ("知识产权创造保护和运用", "建设知识产权快速维权服务站", "tech", ["market"], 12, "服务站挂牌运行"),
        ],
    ),
    (
        "包容普惠创新",
        "优化要素保障和创新创业环境",
        "econ",
        12,
        "创新创业主体较上年增长10%",
        [
            ("劳动力市场监管", "开展“春风行动”“就业援助月”专项招聘", "hr", [], 6, "招聘会不少于10场"),
            ("劳动力市场监管", "推进欠薪问题动态清零", "hr", ["housing"], 12, "欠薪案件动态清零"),
            ("劳动力市场监管", "开展企业职工技能培训", "hr", ["econ"], 11, "培训不少于1500人次"),
            ("跨境贸易", "推动外贸企业通关便利化", "econ", [], 9, "进出口整体通关时间压缩10%"),
            ("跨境贸易", "组织企业参加境内外展会", "econ", ["tech"], 11, "参展企业不少于20家"),
            ("包容普惠创新", "实施科技型中小企业梯度培育", "tech", ["econ"], 12, "新增高新技术企业30家"),
        ],
    ),
]

PROGRESS_TEXTS = [
    "已召开专题推进会，明确责任分工和时间节点，正按计划推进。",
    "本月完成相关流程梳理，形成优化方案并报分管领导审定。",
    "已对接相关配合单位，完成系统改造需求确认，进入测试阶段。",
    "本月新增办理事项{n}件，群众和企业反映良好。",
    "针对督导发现的问题已完成整改，相关制度文件已印发。",
    "已开展专项培训{n}场次，窗口人员全部完成轮训。",
    "工作进度略有滞后，已制定追赶计划，下月重点推进。",
    "已完成阶段性目标，正在收集佐证材料并总结经验做法。",
]


# A one-page PDF standing for the scanned evidence units attach (meeting minutes, notices, photos).
EVIDENCE_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
EVIDENCE_NAMES = ["工作推进会会议纪要", "阶段性工作总结", "相关制度文件", "现场工作照片汇编", "系统上线运行截图"]


def _evidence(rng: random.Random) -> list[storage.CheckedUpload]:
    """One evidence file for about a third of the reports."""
    if rng.random() > 0.35:
        return []
    name = f"{rng.choice(EVIDENCE_NAMES)}.pdf"
    return [
        storage.CheckedUpload(
            FileStorage(io.BytesIO(EVIDENCE_PDF), filename=name), name, "application/pdf", len(EVIDENCE_PDF)
        )
    ]


def load_indicators(now: datetime, rng: random.Random) -> list[Task]:
    """The 18 indicators, ``now``'s year's list and its reports up to ``now``; returns the tasks."""
    units = {slug: unit for slug, unit in _units().items()}
    users = {u.username: u for u in db.session.scalars(select(User))}
    found = {i.name: i for i in db.session.scalars(select(Indicator))}
    for sort, (name, slug, score) in enumerate(INDICATORS, start=1):
        indicator = found.get(name) or Indicator(code=f"ZB{sort:02d}", name=name)
        indicator.lead_unit, indicator.sort = units[slug], sort
        indicator.chief = users.get(f"{slug}_leader")
        indicator.last_score, indicator.target_score = score, min(100.0, round(score + rng.uniform(3, 8), 1))
        db.session.add(indicator)
        found[name] = indicator
    db.session.flush()
    tasks = _list(now, units, found)
    _replay(now, rng, tasks, users)
    return tasks


def _units() -> dict[str, Unit]:
    from supervise import seed_data as D

    by_name = {u.name: u for u in db.session.scalars(select(Unit))}
    return {slug: by_name[name] for slug, name, *_ in D.UNITS}


def _deadline(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)


def _list(now: datetime, units: dict[str, Unit], found: dict[str, Indicator]) -> list[Task]:
    year = now.year
    year_list = indicators.list_for(year)
    listed_at = datetime(year, 1, 20, 9, 30)
    tasks, number = [], 0
    for name, title, slug, month, expected, minors in MAJORS:
        number += 1
        major = Task(
            responsibility_list=year_list,
            indicator=found[name],
            level=TaskLevel.MAJOR,
            number=number,
            title=title,
            responsible_unit=units[slug],
            deadline=_deadline(year, month),
            expected_result=expected,
            created_at=listed_at,
        )
        tasks.append(major)
        for m_name, m_title, m_slug, co, m_month, m_expected in minors:
            number += 1
            tasks.append(
                Task(
                    responsibility_list=year_list,
                    indicator=found[m_name],
                    parent=major,
                    level=TaskLevel.MINOR,
                    number=number,
                    title=m_title,
                    responsible_unit=units[m_slug],
                    co_units=[units[c] for c in co],
                    deadline=_deadline(year, m_month),
                    expected_result=m_expected,
                    created_at=listed_at,
                )
            )
    db.session.add_all(tasks)
    db.session.flush()
    return tasks


def _replay(now: datetime, rng: random.Random, tasks: list[Task], users: dict[str, User]) -> None:
    """Each minor task's monthly reports from February to ``now`` (late ones after the 5th, a few never
    filed; some tasks fall behind their deadline), the warning job run on the 9th and 16th of every
    month, all in time order."""
    cal = load_calendar()
    handlers = {u.unit_id: u for name, u in users.items() if name.endswith("_handler")}
    events: list[tuple[datetime, int, object]] = []
    for task in (t for t in tasks if t.level == TaskLevel.MINOR):
        reporter = handlers.get(task.responsible_unit_id)
        behind = rng.random() < 0.25  # falls behind: not done by its deadline
        silent_from = now.month - 2 if behind and rng.random() < 0.5 else 13  # and stops reporting
        months = [m for m in range(2, now.month + 1)]
        for n, month in enumerate(months, start=1):
            day = rng.choice([1, 2, 3, 3, 4, 4, 5, 5]) if rng.random() > 0.12 else rng.randint(8, 18)
            at = datetime.combine(date(now.year, month, day), time(rng.randint(8, 17), rng.randint(0, 59)))
            if at > now or rng.random() < 0.07 or reporter is None or month >= silent_from:
                continue  # not yet, or never filed
            months_to_go = max(1, task.deadline.month - month + 1)
            percent = (
                100 if not behind and month >= task.deadline.month else min(95, round(100 * n / (n + months_to_go)))
            )
            events.append((at, 1, (task, reporter, percent)))
    for month in range(2, now.month + 1):
        for day in (9, 16):
            at = datetime(now.year, month, day, 8, 20)
            if at <= now:
                events.append((at, 0, None))
    for at, kind, payload in sorted(events, key=lambda e: (e[0], e[1])):
        if kind == 0:
            indicator_duties.task_warnings(at, cal)
            continue
        task, reporter, percent = payload
        if indicators.may_report(reporter, task):
            percent = max(percent, task.progress)
            text = rng.choice(PROGRESS_TEXTS).format(n=rng.randint(3, 40))
            indicators.submit_report(task, reporter, text, percent, _evidence(rng), at, cal)
    indicator_duties.task_warnings(now, cal)
