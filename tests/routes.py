"""The routes of the application and a scene with a row for every kind of URL argument, shared by the
permission matrix and the bad-input fuzz."""

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import g
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from supervise import create_app, storage
from supervise.domain import campaigns as campaign_rules
from supervise.domain import evaluation as evaluation_rules
from supervise.domain import ledger, rounds
from supervise.domain.projects import ProjectSpec, register, reports
from supervise.extensions import db
from supervise.models import (
    ApiKey,
    ApiToken,
    Attachment,
    CadreCard,
    Campaign,
    Evaluation,
    LedgerEvidence,
    LedgerItem,
    LiaisonPair,
    LicenceReview,
    Notification,
    OutboxMessage,
    Peer,
    ReplyTemplate,
    RoutingRule,
    State,
    SupervisionRound,
    Ticket,
    Vote,
)
from supervise.models.project import Blocker, Milestone, Project
from supervise.open311 import keys
from tests.factories import World, advance, file_ticket, publish

ACTION_IN_URL = {"console.act": "approve_reply", "api.act": "sign"}
FORMAT_IN_URL = {
    "public.stats_export": "csv",
    "console.quarter_notice": "docx",
    "console.projects_digest": "xlsx",
    "public.campaign_report_file": "docx",
    "console.campaign_download": "xlsx",
}

ROUTES_APP = create_app("test")  # only to list the routes at collection time; no database is opened


def routes() -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) for every route and method, GET first."""
    found = []
    for rule in ROUTES_APP.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in ("GET", "POST"):
            if method in rule.methods:
                found.append((rule.endpoint, rule.rule, method))
    return sorted(found)


@dataclass
class Scene:
    """Rows for every kind of URL argument."""

    ticket: Ticket  # acme's, dispatched to edu, not published
    rival_ticket: Ticket  # rival's, dispatched to edu
    published: Ticket  # acme's, closed, problem and result published
    attachment: Attachment  # filed with ``ticket``, not released
    notification: Notification  # the enterprise user's
    pair: LiaisonPair  # cadre - acme
    rule: RoutingRule
    api_key: ApiKey
    token: ApiToken  # the handler's
    message: OutboxMessage
    reply_template: ReplyTemplate  # for schooling
    licence: LicenceReview  # uploaded by the enterprise user, awaiting review
    peer: Peer  # another zone's platform
    ledger_item: LedgerItem  # edu's, awaiting acceptance, with one evidence file
    evidence: LedgerEvidence
    supervision_round: SupervisionRound  # inspects edu
    project: Project  # a key project led by edu (leader: chief service officer, handler: secretary)
    milestone: Milestone  # of ``project``
    blocker: Blocker  # named in ``project``'s report
    evaluation: Evaluation | None = None  # published; edu evaluated
    evaluation_vote: Vote | None = None  # on edu, with a comment
    campaign: Campaign | None = None  # open, every enterprise, visited by the cadre and edu


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def build_scene(world: World) -> Scene:
    """The scene's rows, committed."""
    ticket_ = file_ticket(world)
    upload = storage.check_upload(FileStorage(io.BytesIO(PDF), filename="营业执照.pdf"))
    attachment = storage.store(upload, ticket_, world.enterprise_user, ticket_.events[0])
    advance(world, ticket_, State.DISPATCHED)
    rival_ticket = advance(world, file_ticket(world, enterprise=world.rival), State.DISPATCHED)
    published = advance(world, file_ticket(world, title="办证慢"), State.CLOSED)
    publish(world, published)
    notification = Notification(user_id=world.enterprise_user.id, subject="有新进展", body="", link="/my/")
    api_key, _secret = keys.issue("热线系统", world.admin)
    token, _secret = ApiToken.issue(world.handler, "我的系统")
    message = OutboxMessage(
        dedupe_key="permission-matrix",
        channel="email",
        address="x@example.com",
        subject="s",
        body="b",
        status="dead",
        attempts=5,
    )
    licence = LicenceReview(
        user_id=world.enterprise_user.id,
        enterprise_id=world.acme.id,
        filename="营业执照.pdf",
        stored_name=storage.write(
            storage.check_upload(FileStorage(io.BytesIO(PDF), filename="营业执照.pdf"), storage.LICENCE_TYPES)
        ),
        content_type="application/pdf",
        size=len(PDF),
    )
    peer = Peer(name="十堰", zone="十堰市", base_url="http://127.0.0.1:9/open311/v2", api_key="k_peer-secret")
    reply_template = ReplyTemplate(category=world.schooling, title="学位已协调", body="经协调，已安排学位。")
    db.session.add_all([notification, token, message, licence, peer, reply_template])
    db.session.add(CadreCard(cadre=world.cadre, unit=world.edu, pledge="有求必应", published=True))

    supervision_round = rounds.create_round(
        world.supervisor, "第一轮闭环督导", date(2026, 4, 1), date(2026, 4, 27), [world.edu]
    )
    ledger_item = rounds.add_finding(
        world.supervisor, supervision_round, world.edu, "宣传培训不到位", date(2026, 5, 31)
    )
    ledger.submit(
        ledger_item, world.handler, "已培训", [storage.check_upload(FileStorage(io.BytesIO(PDF), filename="培训.pdf"))]
    )
    project = _project(world)
    campaign = campaign_rules.save_campaign(
        None,
        campaign_rules.Setup(
            "刀刃向内找问题", 2026, 4, units=[world.edu], cadres=[world.cadre], questions=["最急需解决的问题？"]
        ),
        world.supervisor,
    )
    campaign_rules.open_campaign(campaign, world.supervisor)
    db.session.commit()
    evaluation, vote = evaluation_rows(world)
    return Scene(
        ticket=ticket_,
        rival_ticket=rival_ticket,
        published=published,
        attachment=attachment,
        notification=notification,
        pair=db.session.scalar(select(LiaisonPair).where(LiaisonPair.cadre_id == world.cadre.id)),
        rule=db.session.scalar(select(RoutingRule)),
        api_key=api_key,
        token=token,
        message=message,
        licence=licence,
        peer=peer,
        reply_template=reply_template,
        ledger_item=ledger_item,
        evidence=ledger_item.evidence[0],
        supervision_round=supervision_round,
        evaluation=evaluation,
        evaluation_vote=vote,
        project=project,
        milestone=project.milestones[0],
        blocker=db.session.scalar(select(Blocker)),
        campaign=campaign,
    )


def evaluation_rows(world: World) -> tuple[Evaluation, Vote]:
    """A published evaluation of edu with one commented vote, committed."""
    criteria = [evaluation_rules.Criterion("履职尽责", 100)]
    evaluation = evaluation_rules.create_evaluation("评议", 2026, [world.edu], criteria, world.supervisor)
    link = evaluation_rules.invite(evaluation, "deputy", "张代表", world.supervisor)[1]
    evaluation_rules.open_evaluation(evaluation, world.supervisor)
    evaluator = evaluation_rules.evaluator_for(link.rsplit("/", 1)[1])
    vote = evaluation_rules.cast_vote(evaluator, evaluation.reports[0], {evaluation.criteria[0].id: 80}, "窗口少")
    evaluation_rules.close_evaluation(evaluation, world.supervisor)
    evaluation_rules.publish_results(evaluation, world.supervisor)
    db.session.commit()
    return evaluation, vote


def _project(world: World) -> Project:
    """A key project led by edu, with a milestone and a month's report naming a blocker."""
    spec = ProjectSpec(
        "襄阳新能源汽车电驱系统项目",
        world.acme,
        Decimal("12.5"),
        "新能源汽车",
        world.edu,
        world.leader,
        world.handler,
        public=True,
    )
    project = register.register_project(spec, world.supervisor)
    register.add_milestone(project, "开工建设", date(2026, 11, 1))
    data = reports.ReportInput("主体施工中。", 40, Decimal("3"), blockers=[("stuck", "用电增容未批复。")])
    reports.submit_report(reports.report_for(project, "2026-11"), data, world.handler)
    return project


def url_for_route(endpoint: str, rule_text: str, world: World, scene: Scene) -> str:
    """The route's URL with an existing row (or a sensible string) for each argument."""
    rule = next(r for r in ROUTES_APP.url_map.iter_rules() if r.endpoint == endpoint and r.rule == rule_text)
    values = {
        "ticket_id": scene.ticket.id,
        "tracking_no": scene.published.tracking_no,
        "attachment_id": scene.attachment.id,
        "notification_id": scene.notification.id,
        "unit_id": world.edu.id,
        "category_id": world.schooling.id,
        "user_id": world.cadre.id,
        "pair_id": scene.pair.id,
        "rule_id": scene.rule.id,
        "key_id": scene.api_key.id,
        "token_id": scene.token.id,
        "enterprise_id": world.acme.id,
        "message_id": scene.message.id,
        "review_id": scene.licence.id,
        "peer_id": scene.peer.id,
        "template_id": scene.reply_template.id,
        "ledger_item_id": scene.ledger_item.id,
        "evidence_id": scene.evidence.id,
        "round_id": scene.supervision_round.id,
        "project_id": scene.project.id,
        "milestone_id": scene.milestone.id,
        "blocker_id": scene.blocker.id,
        "campaign_id": scene.campaign.id,
        "job_id": "no-such-job",
        "value": "2026-Q1",  # a quarter
        "scorecard_id": 1,
        "name": "no-such-task",
        "lang": "en",
        "kind": "problems",
        "service_code": str(world.schooling.id),
        "service_request_id": scene.published.tracking_no,
        "token": scene.published.tracking_no,
        "rest": "no-such-resource",
        "fmt": FORMAT_IN_URL.get(endpoint, "json"),
        "action": ACTION_IN_URL.get(endpoint),
        "task_id": 1,  # no task in the scene: 404 to those allowed (tests/test_indicators.py has the rows)
        "file_id": 1,
        "indicator_id": 1,
        "year": 2026,
        "evaluation_id": scene.evaluation.id,
        "report_id": scene.evaluation_vote.report_id,
        "vote_id": scene.evaluation_vote.id,
        "step": "open",
    }
    unknown = rule.arguments - {k for k, v in values.items() if v is not None}
    assert not unknown, f"teach url_for_route a value for {sorted(unknown)} of {endpoint}"
    built = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)
    assert built is not None, f"cannot build {rule_text}"
    return built[1]


def become(client, login, world, who: str):
    """Switch the test client to ``who`` (anonymous: no session at all)."""
    if who == "anonymous":
        g.pop("_login_user", None)
        with client.session_transaction() as sess:
            sess.clear()
        return client
    return login(getattr(world, who))
