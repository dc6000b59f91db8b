"""The routes of the application and a scene with a row for every kind of URL argument, shared by the
permission matrix and the bad-input fuzz."""

import io
from dataclasses import dataclass

from flask import g
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from supervise import create_app, storage
from supervise.domain import campaigns as campaign_rules
from supervise.extensions import db
from supervise.models import (
    ApiKey,
    ApiToken,
    Attachment,
    Campaign,
    LiaisonPair,
    LicenceReview,
    Notification,
    OutboxMessage,
    Peer,
    ReplyTemplate,
    RoutingRule,
    State,
    Ticket,
)
from supervise.open311 import keys
from tests.factories import World, advance, file_ticket, publish

ACTION_IN_URL = {"console.act": "approve_reply", "api.act": "sign"}
FORMAT_IN_URL = {
    "public.stats_export": "csv",
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
    campaign = campaign_rules.save_campaign(
        None,
        campaign_rules.Setup(
            "刀刃向内找问题", 2026, 4, units=[world.edu], cadres=[world.cadre], questions=["最急需解决的问题？"]
        ),
        world.supervisor,
    )
    campaign_rules.open_campaign(campaign, world.supervisor)
    db.session.commit()
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
        campaign=campaign,
    )


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
        "campaign_id": scene.campaign.id,
        "job_id": "no-such-job",
        "name": "no-such-task",
        "lang": "en",
        "kind": "problems",
        "service_code": str(world.schooling.id),
        "service_request_id": scene.published.tracking_no,
        "token": scene.published.tracking_no,
        "rest": "no-such-resource",
        "fmt": FORMAT_IN_URL.get(endpoint, "json"),
        "action": ACTION_IN_URL.get(endpoint),
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
