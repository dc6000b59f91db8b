"""Demo data of the unit evaluation (评议): the people's congress evaluates 10 units of the year on
four criteria; deputies, committee members and service users score and comment; each unit answers;
the results are published. Told through ``supervise.domain.evaluation``, like a real one."""

import random

from sqlalchemy import select

from supervise.domain import evaluation as rules
from supervise.extensions import db
from supervise.models import Role, User, Vote
from supervise.models.evaluation import COMMITTEE, DEPUTY, SERVICE_USER
from supervise.seed.accounts import SEED, Names

UNITS = ("approval", "market", "hr", "tax", "housing", "land", "power", "water", "edu", "police")
EVALUATORS = (DEPUTY,) * 4 + (COMMITTEE,) * 3 + (SERVICE_USER,) * 4
CRITERIA = (
    rules.Criterion("履职尽责", 30, "落实优化营商环境主体责任，职责范围内的任务按期完成。"),
    rules.Criterion("服务效能", 30, "审批和服务事项办理快、环节少、标准清楚，企业少跑腿。"),
    rules.Criterion("作风建设", 20, "工作人员态度好、找得到人、说到做到，无推诿扯皮。"),
    rules.Criterion("问题整改", 20, "企业反映和评议指出的问题按时整改到位、不反弹。"),
)
REPORT = (
    "{unit}{year}年优化营商环境履职情况报告\n"
    "一、主要工作：全年受理企业诉求并按时办结，推行“一窗受理、一次办好”，压缩办理时限三成以上；"
    "落实“局长进大厅”，班子成员轮流坐班帮办。\n"
    "二、存在问题：部分事项材料要求仍不统一，个别窗口高峰时段等候时间较长，线上办理率有待提高。\n"
    "三、下步打算：清理规范申请材料，推行告知承诺制，增设高峰时段弹性窗口，按月通报办理时效。"
)
COMMENTS = (
    "报告对问题的分析比较实在，但整改措施还缺少时间表，建议明确完成时限。",
    "窗口服务态度明显好转，但高峰时段排队仍然较长，希望增加弹性窗口。",
    "企业反映同一事项在不同窗口被要求提交的材料不一致，建议统一清单并公开。",
    "线上办理入口不好找，操作说明看不懂，建议简化流程并提供电话指导。",
    "对企业诉求回复较快，但有的回复只讲政策不讲办法，希望多给解决路径。",
    "去年评议指出的问题大部分已整改，个别问题有反弹，建议建立回头看机制。",
    "上门服务做得好，项目审批专班效果明显，建议把经验推广到中小企业。",
    "政策兑现环节较多，资金拨付慢，建议公开兑现进度，限时办结。",
    "执法检查次数多、标准不一，建议推行“综合查一次”，减少对企业的干扰。",
    "人员变动后新同志业务不熟，建议加强培训并保持对接人员稳定。",
)
ANSWERS = (
    "已将整改事项列入台账并明确完成时限，每月向营商办报告进展。",
    "已在周一、周五高峰时段增设两个弹性窗口，平均等候时间由40分钟缩短到15分钟。",
    "已完成申请材料清理，统一清单在政务服务网和大厅公开，窗口按清单受理。",
    "已优化线上办理入口，增加操作视频和咨询电话，线上办理率提高到六成。",
    "已要求答复必须写明办理路径和责任人，营商办每月抽查答复质量。",
    "已开展评议问题“回头看”，对反弹问题重新交办并实行销号管理。",
    "已总结项目专班经验，面向中小企业推出预约上门服务。",
    "已将兑现流程由五个环节压缩为三个，兑现进度在网上公开，限时二十个工作日。",
    "已与相关部门推行联合检查，同一企业同一年度检查次数减少一半。",
    "已组织新进人员业务培训并实行对接人员AB岗，人员变动提前告知企业。",
)


def load_evaluation(demo) -> None:
    """One published evaluation of 10 units of the demo's year, with votes, comments and answers."""
    rng = random.Random(SEED + 3)
    office = demo.supervisors[0]
    units = [demo.units[slug] for slug in UNITS]
    year = demo.today.year
    evaluation = rules.create_evaluation(f"{year}年度优化营商环境工作人大评议", year, units, CRITERIA, office)
    leaders = {u.unit_id: u for u in db.session.scalars(select(User).where(User.role == Role.LEADER))}
    for report in evaluation.reports:
        rules.submit_report(report, REPORT.format(unit=report.unit.name, year=year), None, leaders[report.unit_id])
    names = Names(rng, set(demo.names.taken))
    tokens = [rules.invite(evaluation, kind, names(), office)[1].rsplit("/", 1)[1] for kind in EVALUATORS]
    rules.open_evaluation(evaluation, office)
    quality = {report.id: rng.randint(72, 92) for report in evaluation.reports}
    for token in tokens:
        evaluator = rules.evaluator_for(token)
        for report in evaluation.reports:
            scores = {c.id: max(50, min(100, quality[report.id] + rng.randint(-8, 8))) for c in evaluation.criteria}
            comment = rng.choice(COMMENTS) if rng.random() < 0.4 else ""
            rules.cast_vote(evaluator, report, scores, comment)
    rules.close_evaluation(evaluation, office)
    db.session.flush()
    for report in evaluation.reports:
        for vote in report_votes(report):
            rules.answer_comment(vote, ANSWERS[COMMENTS.index(vote.comment)], leaders[report.unit_id])
    rules.publish_results(evaluation, office)
    db.session.flush()


def report_votes(report):
    """The commented votes of one unit."""
    return db.session.scalars(select(Vote).where(Vote.report_id == report.id, Vote.comment != "")).all()
