"""The demo's rectification ledger and closed-loop supervision (after Zhangwan district's year: 23 problems
fed back by the province and 27 found by self-inspection, all rectified and closed; rounds of closed-loop
supervision of the 18 indicator lead units), told through ``supervise.domain.ledger`` and ``rounds``.

Two rounds: the first scored every lead unit and found eight problems, the second verified them (one
found not rectified and reopened) and found six more; two complaint patterns link their tickets. The
open items are in every state: rectifying (some overdue, one sent back), awaiting acceptance, reopened.
"""

import io
import random
from datetime import datetime, timedelta

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from supervise import seed_data as D
from supervise import storage
from supervise.domain import ledger, rounds
from supervise.extensions import db
from supervise.models import LedgerItem, LedgerSource, SupervisionRound, Ticket, Unit, UnitKind, User
from supervise.seed.companies import DEMO_LICENCE as EVIDENCE  # any small PDF

# (lead unit, problem, what was done) — the province's feedback first (23), then self-inspection (27).
PROBLEMS: list[tuple[str, str, str]] = [
    ("approval", "企业开办“一网通办”平台填报字段重复", "梳理合并重复字段23项，开办全流程压缩至1个工作日"),
    ("approval", "工程建设项目审批部分事项未纳入并联审批", "将施工图审查、消防设计审查纳入并联审批，审批时限压缩40%"),
    ("approval", "政务服务大厅“综合窗口”改革不彻底", "设置无差别综合受理窗口12个，实行“前台综合受理、后台分类审批”"),
    (
        "market",
        "市场主体登记“证照分离”改革事项告知承诺落实不到位",
        "对68项涉企经营许可事项全面推行告知承诺制并公示清单",
    ),
    ("market", "“双随机、一公开”抽查结果公示不及时", "建立抽查结果7日内公示机制，补公示历史结果"),
    ("tax", "纳税人办税缴费平均时长高于全省平均水平", "推行“非接触式”办税，网上办税率提升至98%"),
    ("tax", "留抵退税政策宣传覆盖面不足", "开展政策精准推送，覆盖全部符合条件的纳税人"),
    ("land", "不动产登记与水电气过户联动办理未实现", "上线“不动产+水电气”联动过户，一次申请同步办结"),
    ("land", "工业用地“标准地”出让比例偏低", "制定标准地出让指标体系，新增工业用地全部按标准地出让"),
    ("housing", "施工许可办理环节材料要求不一致", "统一施工许可申报材料清单并在政务网公开"),
    ("housing", "建设工程竣工联合验收推进缓慢", "建立联合验收专班，实行“一次申请、联合勘验、限时办结”"),
    ("finance", "政府采购合同融资业务知晓率低", "组织银企对接会4场，上线政采贷线上申请入口"),
    ("finance", "涉企资金拨付周期过长", "建立涉企资金直达机制，拨付时限压缩至10个工作日"),
    ("hr", "社保卡办理需在窗口和银行间往返", "邀请银行入驻人社窗口，开新卡、换卡“一站式”办理"),
    ("hr", "企业用工招聘服务渠道单一", "开展“春风行动”等线上线下招聘活动，搭建企业用工对接平台"),
    ("edu", "企业职工子女入学政策解读不到位", "编印入学政策问答并在政务服务大厅和企业服务群发放"),
    ("transport", "道路运输证件办理需多次跑腿", "道路运输证件全程网办，实行邮寄送达"),
    ("eco", "环评审批告知承诺制适用范围不清", "公布环评告知承诺制项目清单，开展专题培训"),
    ("tech", "高新技术企业认定辅导覆盖不足", "建立高企培育库，组织一对一辅导"),
    ("econ", "重点项目首席服务官包联机制落实不到位", "明确包联责任清单，首席服务官每月到项目现场调度"),
    ("police", "户籍业务“跨省通办”事项办理指引不清", "编制跨省通办办事指南并在线公开"),
    ("dongfeng", "街道便民服务中心事项进驻不全", "梳理下沉事项清单，31项高频事项全部进驻"),
    ("zizhen", "商户投诉问题办理反馈不及时", "建立投诉问题台账，实行24小时响应、5日内反馈"),
    # self-inspection (27)
    ("approval", "部分审批事项办事指南与实际要求不一致", "逐项核对办事指南，修订不一致条目41项"),
    ("approval", "帮办代办服务专员配备不足", "组建帮办代办队伍，重点项目全程代办"),
    ("approval", "“好差评”差评整改回访不及时", "建立差评核实、整改、回访闭环机制"),
    ("market", "食品经营许可现场核查时间过长", "实行告知承诺+事后核查，当场发证"),
    ("market", "个体工商户年报辅导不足", "开展年报集中辅导，年报率提升至96%"),
    ("tax", "办税服务厅高峰期排队时间长", "增设自助办税终端，实行预约办税"),
    ("tax", "小规模纳税人政策享受不充分", "开展政策风险扫描，推送提醒并辅导申报"),
    ("land", "不动产登记窗口排队时间长", "推行“互联网+不动产登记”，一般登记3个工作日办结"),
    ("housing", "房屋建筑工程质量监督报监流程繁琐", "质量安全监督手续并入施工许可，一并办理"),
    ("housing", "农民工工资保证金退还不及时", "建立保证金退还提醒机制，到期即退"),
    ("finance", "中小微企业融资担保费率偏高", "政府性融资担保费率降至1%以下"),
    ("hr", "就业补贴申领材料多", "精简补贴申领材料，实行“免申即享”"),
    ("hr", "劳动争议调解周期长", "设立园区劳动争议调解工作站，简易案件速调速裁"),
    ("edu", "企业职工子女学位协调渠道不畅", "设立企业职工子女入学服务专窗"),
    ("transport", "园区公交线路覆盖不足", "新开通园区通勤线路2条，优化站点6处"),
    ("eco", "排污许可证办理指导不足", "组织排污许可专家帮扶，上门指导企业填报"),
    ("tech", "科技型中小企业评价入库率偏低", "开展科技政策“进园区”宣讲10场"),
    ("econ", "企业诉求“直通车”反馈时限不明确", "明确诉求办理时限，建立周调度机制"),
    ("econ", "惠企政策兑现流程不透明", "上线惠企政策兑现平台，兑现进度实时可查"),
    ("police", "企业印章刻制备案需现场办理", "印章刻制备案纳入企业开办全程网办"),
    ("police", "涉企警情处置反馈不及时", "建立涉企警情专人跟踪反馈机制"),
    ("dongfeng", "网格员助企服务不到位", "网格员联系辖区企业全覆盖，每月走访"),
    ("zizhen", "商圈停车难问题反映集中", "新增公共停车位320个，优化交通组织"),
    ("liuji", "村级便民服务站代办事项少", "扩大代办事项清单，新增社保、医保等代办事项"),
    ("tuanshan", "工业园区道路照明不足", "新装路灯86盏，夜间照明全覆盖"),
    ("mizhuang", "镇便民服务中心节假日无人值守", "实行节假日轮值和预约服务"),
    ("liuji", "涉企矛盾纠纷化解机制不健全", "建立涉企矛盾纠纷多元化解工作站"),
]
PROVINCIAL = 23

# (lead unit, problem) found by the first and the second round.
FIRST_ROUND = [
    ("approval", "营商环境工作专班未按月召开例会"),
    ("market", "问题整改台账未实行销号管理"),
    ("tax", "宣传培训未覆盖一线窗口人员"),
    ("land", "指标责任清单未细化到科室"),
    ("housing", "上轮反馈问题整改佐证材料不全"),
    ("hr", "营商环境工作制度未公开"),
    ("dongfeng", "网格助企服务工作台账不完整"),
    ("econ", "指标长调度会议记录缺失"),
]
SECOND_ROUND = [
    ("finance", "政策宣传培训未形成年度计划"),
    ("police", "营商环境主体责任分解不到位"),
    ("zizhen", "问题整改时限未明确到人"),
    ("transport", "工作机制未形成书面制度"),
    ("eco", "企业走访记录未及时归档"),
    ("tech", "上轮督导问题整改进度滞后"),
]
# Complaints that gathered on one unit became one problem to rectify.
PATTERNS = [("edu", "企业职工子女入学咨询集中反映"), ("hr", "员工招聘服务诉求集中反映")]


class LedgerDemo:
    """One run: the clock, the actors, and the one ``rng`` every choice is drawn from."""

    def __init__(self, rng: random.Random, now: datetime):
        self.rng, self.now, self.today = rng, now, now.date()
        users = {u.username: u for u in db.session.scalars(select(User))}
        self.users = users
        self.supervisors = [users["supervisor"], users["supervisor2"]]
        by_name = {u.name: u for u in db.session.scalars(select(Unit))}
        self.units = {slug: by_name[name] for slug, name, *_ in D.UNITS}
        self.lead_units = [
            self.units[slug] for slug, _, _, kind, _ in D.UNITS if kind in (UnitKind.DEPARTMENT, UnitKind.STREET)
        ]

    def office(self) -> User:
        return self.rng.choice(self.supervisors)

    def handler(self, item: LedgerItem) -> User:
        slug = next(s for s, u in self.units.items() if u.id == item.unit_id)
        return self.users[f"{slug}_handler"]

    def days_ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def evidence(self, name: str) -> storage.CheckedUpload:
        return storage.check_upload(FileStorage(io.BytesIO(EVIDENCE), filename=name))

    def submit(self, item: LedgerItem, at: datetime, measures: str) -> None:
        ledger.submit(item, self.handler(item), measures, [self.evidence("整改佐证材料.pdf")], at=at)

    def close(
        self, item: LedgerItem, created: datetime, measures: str, sent_back: bool = False, within: int = 40
    ) -> None:
        """Submitted within ``within`` days, accepted days later; ``sent_back`` once first for more evidence."""
        at = created + timedelta(days=self.rng.randint(5, within), hours=self.rng.randint(1, 6))
        if sent_back:
            self.submit(item, at, measures)
            at += timedelta(days=2)
            ledger.send_back(item, self.office(), "佐证材料不足，请补充制度文件和现场照片。", at=at)
            at += timedelta(days=self.rng.randint(3, 8))
        self.submit(item, at, measures)
        summary = f"{item.unit.short_name or item.unit.name}：{measures}，经验收整改到位。"
        ledger.accept(item, self.office(), "现场核验，整改到位。", summary, at=at + timedelta(days=3))

    def problems(self) -> None:
        """The province's 23 and self-inspection's 27, each rectified and closed."""
        for n, (slug, title, measures) in enumerate(PROBLEMS):
            source = LedgerSource.PROVINCIAL if n < PROVINCIAL else LedgerSource.SELF_INSPECTION
            created = self.days_ago(300 - n * 4)
            item = ledger.create_item(
                self.office(), source, title, self.units[slug], (created + timedelta(days=60)).date(), at=created
            )
            db.session.flush()
            self.close(item, created, measures, sent_back=n % 9 == 4)

    def round(self, name: str, start_days_ago: int, previous: SupervisionRound | None) -> SupervisionRound:
        start = self.days_ago(start_days_ago)
        found = rounds.create_round(
            self.office(), name, start.date(), (start + timedelta(days=26)).date(), self.lead_units, at=start
        )
        found.previous = previous
        scored = start + timedelta(days=26)
        for unit in self.lead_units:
            for key in rounds.CHECKLIST:
                rounds.score(self.office(), found, unit, key, self.rng.randint(62, 98), at=scored)
        db.session.flush()
        return found

    def findings(self, round_: SupervisionRound, found: list[tuple[str, str]], deadline_days: int) -> list[LedgerItem]:
        at = datetime.combine(round_.period_end, datetime.min.time()) + timedelta(hours=17)
        items = []
        for slug, title in found:
            deadline = round_.period_end + timedelta(days=deadline_days)
            items.append(rounds.add_finding(self.office(), round_, self.units[slug], title, deadline, at=at))
        db.session.flush()
        return items

    def first_and_second_round(self) -> None:
        first = self.round("第一轮闭环督导", 150, None)
        found = self.findings(first, FIRST_ROUND, 30)
        created = datetime.combine(first.period_end, datetime.min.time())
        for item in found[:6]:
            self.close(item, created, f"已针对“{item.title}”建立制度并落实")
        self.submit(found[6], self.days_ago(3), "已补建网格助企服务台账，按月更新")
        second = self.round("第二轮闭环督导", 60, first)
        verified_at = self.days_ago(40)
        for item in found[:5]:
            rounds.verify(self.office(), second, item, True, "抽查核实，整改到位", at=verified_at)
        rounds.verify(self.office(), second, found[5], False, "抽查发现制度未公开，整改不到位", at=verified_at)
        rounds.verify(self.office(), second, found[7], False, "会议记录仍缺失，继续整改", at=verified_at)
        fresh = self.findings(second, SECOND_ROUND, 45)  # some due already, some not yet
        created = datetime.combine(second.period_end, datetime.min.time())
        self.submit(fresh[0], self.days_ago(6), "已制定年度宣传培训计划")
        self.submit(fresh[1], self.days_ago(8), "已将主体责任分解到科室和个人")
        ledger.send_back(fresh[1], self.office(), "分解表未经单位主要负责人签字，请补充。", at=self.days_ago(5))
        self.submit(fresh[2], self.days_ago(2), "已明确每项问题的责任人和时限")
        self.close(fresh[3], created, "已印发营商环境工作制度汇编", within=20)
        fresh[4].deadline = self.today - timedelta(days=9)  # late: the deadline job warns its unit

    def patterns(self) -> None:
        """Complaints that gathered on one unit, linked to the problem they show."""
        for slug, title in PATTERNS:
            unit = self.units[slug]
            tickets = list(
                db.session.scalars(select(Ticket).where(Ticket.lead_unit_id == unit.id).order_by(Ticket.id).limit(3))
            )
            item = ledger.create_item(
                self.office(),
                LedgerSource.COMPLAINT,
                title,
                unit,
                self.today + timedelta(days=20),
                description="近三个月同类诉求集中，需从制度层面整改。",
                tickets=tickets,
                at=self.days_ago(12),
            )
            db.session.flush()
            if slug == "edu":
                self.submit(item, self.days_ago(1), "已公开入学政策问答，设立企业职工子女入学服务专窗")


def load_ledger(rng: random.Random, now: datetime) -> None:
    """The ledger's demo: 50 problems closed, two rounds with scores, findings and verification, and
    two complaint patterns — every state of an item on some of them."""
    demo = LedgerDemo(rng, now)
    demo.problems()
    demo.first_and_second_round()
    demo.patterns()
    db.session.flush()
