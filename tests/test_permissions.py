"""The permission matrix: every route answers every role as the table below says; an enterprise never
sees another's ticket, a unit never another unit's, the public nothing unpublished; every POST needs a
CSRF token and every form carries one.

``MATRIX`` classifies every endpoint of the application. A route added without a line in it fails
``test_every_route_is_in_the_permission_matrix``: decide who may use it, then add the line.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from supervise.domain import workflow
from supervise.domain.calendar import load_calendar
from supervise.extensions import db
from supervise.models import (
    ApiToken,
    Role,
    State,
    Ticket,
)
from tests import factories
from tests.factories import advance, publish
from tests.routes import ROUTES_APP, Scene, become, build_scene, routes, url_for_route

# ---------------------------------------------------------------- who and what

#: Everyone the matrix asks: nobody, then one user of each kind in ``world``.
WHO = ("anonymous", "enterprise_user", "rival_user", "handler", "hr_handler", "leader", "supervisor", "cadre", "admin")
ROLE_OF = {
    "enterprise_user": Role.ENTERPRISE,
    "rival_user": Role.ENTERPRISE,
    "handler": Role.HANDLER,
    "hr_handler": Role.HANDLER,
    "leader": Role.LEADER,
    "supervisor": Role.SUPERVISOR,
    "cadre": Role.CADRE,
    "admin": Role.ADMIN,
}
#: Those who may see the matrix's ticket (acme's, dispatched to edu): acme's staff, acme's cadre,
#: edu's staff and the supervisor. Not rival's staff, not hr's, not the administrator.
TICKET_VIEWERS = frozenset({"enterprise_user", "cadre", "handler", "leader", "supervisor"})

ALL_ROLES = tuple(Role)
PORTAL = (Role.ENTERPRISE, Role.CADRE)
UNIT = (Role.HANDLER, Role.LEADER)
API_USERS = (Role.HANDLER, Role.LEADER, Role.SUPERVISOR)
OPERATORS = (Role.SUPERVISOR, Role.ADMIN)

# What a cell expects.
ALLOW = "allowed"  # anything but 401, 403, a redirect to the login page, or a server error
LOGIN = "login"  # 302 to /auth/login
UNAUTHORIZED = 401
FORBIDDEN = 403
NOT_FOUND = 404


@dataclass(frozen=True)
class Policy:
    """Who may use a route.

    kind: ``public`` (anyone), ``roles`` (logged-in users of ``roles``), ``ticket`` (``roles``, and only on a
    ticket they may see: 403 otherwise), ``owner`` (``roles``, and only ``owner``'s object: ``others`` for
    anyone else's), ``file`` (an attachment: its ticket's parties; 403 to other users, 404 to anonymous),
    ``token`` (the JSON API: a bearer token, never the session: 401 without one), ``key`` (Open311
    filing: an API key, never the session: 403 without one), ``nowhere`` (404 for everyone), ``only``
    (exactly ``viewers``: 403 to other users, 404 to anonymous visitors).
    """

    kind: str
    roles: tuple[Role, ...] = ALL_ROLES
    owner: str | None = None
    others: int = FORBIDDEN
    viewers: frozenset[str] = frozenset()

    def expect(self, who: str, anonymous=LOGIN):
        """The outcome for ``who``; ``anonymous`` is what a visitor without credentials gets."""
        if self.kind in _SAME_FOR_EVERYONE:
            return _SAME_FOR_EVERYONE[self.kind]
        if self.kind in ("file", "only"):
            viewers = TICKET_VIEWERS if self.kind == "file" else self.viewers
            return ALLOW if who in viewers else NOT_FOUND if who == "anonymous" else FORBIDDEN
        if who == "anonymous":
            return anonymous
        if ROLE_OF[who] not in self.roles or (self.kind == "ticket" and who not in TICKET_VIEWERS):
            return FORBIDDEN
        if self.kind == "owner" and who != self.owner:
            return self.others
        if self.kind == "viewers" and who not in self.viewers:
            return self.others
        return ALLOW


#: Kinds whose outcome does not depend on who asks.
_SAME_FOR_EVERYONE = {"public": ALLOW, "nowhere": NOT_FOUND, "token": UNAUTHORIZED, "key": FORBIDDEN}


PUBLIC = Policy("public")
LOGGED_IN = Policy("roles")
FILE = Policy("file")
#: A business licence: the supervisors who review it and the account that uploaded it (the scene's).
LICENCE = Policy("only", viewers=frozenset({"supervisor", "enterprise_user"}))
TOKEN = Policy("token")
KEY = Policy("key")
NOWHERE = Policy("nowhere")


def roles(*allowed: Role) -> Policy:
    return Policy("roles", allowed)


def ticket(*allowed: Role) -> Policy:
    return Policy("ticket", allowed)


def owner(who: str, allowed: tuple[Role, ...], others: int) -> Policy:
    return Policy("owner", allowed, owner=who, others=others)


#: Every endpoint of the application and who may use it (through the browser, with a session).
MATRIX: dict[str, Policy] = {
    # the public site
    "public.index": PUBLIC,
    "public.tickets": PUBLIC,
    "public.ticket": PUBLIC,
    "public.lookup": PUBLIC,
    "public.rules": PUBLIC,
    "public.set_language": PUBLIC,
    "public.stats": PUBLIC,
    "public.stats_export": PUBLIC,
    "public.quarters": PUBLIC,
    "public.accountability": PUBLIC,
    "public.quarter": PUBLIC,
    "public.unit_quarters": PUBLIC,
    "public.feed": PUBLIC,
    "public.alert_subscribe": PUBLIC,
    "public.alert_confirm": PUBLIC,  # the signed token is the credential
    "public.alert_unsubscribe": PUBLIC,
    "public.attachment": FILE,
    "public.licence": LICENCE,
    "public.cadres": PUBLIC,
    "public.cadre": PUBLIC,  # the scene's cadre has a published card
    "public.evaluations": PUBLIC,
    "public.evaluation": PUBLIC,  # published
    "public.evaluation_report_file": PUBLIC,  # of a published evaluation
    "public.evaluator_link": PUBLIC,  # the personal link's token is the credential
    "public.evaluator_home": PUBLIC,
    "public.evaluator_vote": PUBLIC,  # without a link opened: a page saying so
    # accounts
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.register": PUBLIC,
    "auth.activate": PUBLIC,  # the invitation's token is the credential
    "auth.password": LOGGED_IN,
    "auth.tokens": roles(*API_USERS),
    "auth.token_new": roles(*API_USERS),
    "auth.token_revoke": owner("handler", API_USERS, others=NOT_FOUND),  # the matrix's token is the handler's
    # the enterprise portal
    "enterprise.index": roles(*PORTAL),
    "enterprise.new": roles(*PORTAL),
    "enterprise.colleagues": roles(Role.ENTERPRISE),
    "enterprise.verification": roles(Role.ENTERPRISE),
    "enterprise.send_code": roles(Role.ENTERPRISE),
    "enterprise.check_code": roles(Role.ENTERPRISE),
    "enterprise.upload_licence": roles(Role.ENTERPRISE),
    "enterprise.ticket": ticket(*PORTAL),
    "enterprise.material": ticket(*PORTAL),
    "enterprise.rate": ticket(*PORTAL),
    "enterprise.followed": ticket(*PORTAL),
    "enterprise.my_cadres": roles(Role.ENTERPRISE),
    "enterprise.rate_cadre": owner("enterprise_user", (Role.ENTERPRISE,), others=NOT_FOUND),  # acme's cadre
    "enterprise.pledge": roles(Role.CADRE),
    "enterprise.visits": roles(Role.CADRE),  # acme, paired with the cadre
    # the unit workbench
    "unit.index": roles(*UNIT),
    "unit.ticket": ticket(*UNIT),
    "unit.sign": ticket(*UNIT),
    "unit.return_ticket": ticket(*UNIT),
    "unit.note": ticket(*UNIT),
    "unit.request_extension": ticket(*UNIT),
    "unit.request_material": ticket(*UNIT),
    "unit.reply": ticket(*UNIT),
    "unit.answer_order": ticket(*UNIT),
    "unit.evaluations": roles(*UNIT),
    "unit.evaluation": ticket(*UNIT),  # edu's report: edu's staff only, like edu's ticket
    "unit.evaluation_answer": ticket(*UNIT),  # a comment on edu
    # the supervisor's console
    "console.index": roles(Role.SUPERVISOR),
    "console.intake": roles(Role.SUPERVISOR),
    "console.enterprise_aliases": roles(Role.SUPERVISOR),
    "console.enterprise": roles(Role.SUPERVISOR),
    "console.resend_invitation": roles(Role.SUPERVISOR),
    "console.verifications": roles(Role.SUPERVISOR),
    "console.verification_review": roles(Role.SUPERVISOR),
    "console.evaluations": roles(Role.SUPERVISOR),
    "console.evaluation_new": roles(Role.SUPERVISOR),
    "console.evaluation": roles(Role.SUPERVISOR),
    "console.evaluation_invite": roles(Role.SUPERVISOR),
    "console.evaluation_step": roles(Role.SUPERVISOR),
    "console.decide_verification": roles(Role.SUPERVISOR),
    "console.reply_templates": roles(Role.SUPERVISOR),
    "console.reply_template": roles(Role.SUPERVISOR),
    "console.reply_template_delete": roles(Role.SUPERVISOR),
    "console.quarters": roles(Role.SUPERVISOR),
    "console.quarter": roles(Role.SUPERVISOR),
    "console.quarter_scheme": roles(Role.SUPERVISOR),
    "console.quarter_site_tour": roles(Role.SUPERVISOR),
    "console.quarter_settle": roles(Role.SUPERVISOR),
    "console.quarter_adjust": roles(Role.SUPERVISOR),
    "console.quarter_notice": roles(Role.SUPERVISOR),
    "console.ticket": ticket(Role.SUPERVISOR),
    "console.act": ticket(Role.SUPERVISOR),
    "console.pledges_overview": roles(Role.SUPERVISOR, Role.ADMIN),
    "console.pledge_publish": roles(Role.SUPERVISOR, Role.ADMIN),
    # administration
    "admin.index": roles(Role.ADMIN),
    "admin.units": roles(Role.ADMIN),
    "admin.unit_new": roles(Role.ADMIN),
    "admin.unit_edit": roles(Role.ADMIN),
    "admin.categories": roles(Role.ADMIN),
    "admin.category_new": roles(Role.ADMIN),
    "admin.category_edit": roles(Role.ADMIN),
    "admin.rules": roles(Role.ADMIN),
    "admin.rule_new": roles(Role.ADMIN),
    "admin.rule_retire": roles(Role.ADMIN),
    "admin.users": roles(Role.ADMIN),
    "admin.user_new": roles(Role.ADMIN),
    "admin.user_edit": roles(Role.ADMIN),
    "admin.user_password": roles(Role.ADMIN),
    "admin.pair_add": roles(Role.ADMIN),
    "admin.pair_remove": roles(Role.ADMIN),
    "admin.calendar": roles(Role.ADMIN),
    "admin.calendar_clear": roles(Role.ADMIN),
    "admin.calendar_sync": roles(Role.ADMIN),
    "admin.api_keys": roles(Role.ADMIN),
    "admin.api_key_new": roles(Role.ADMIN),
    "admin.api_key_revoke": roles(Role.ADMIN),
    "admin.reference_data": roles(Role.ADMIN),
    "admin.reference_template": roles(Role.ADMIN),
    "admin.reference_export": roles(Role.ADMIN),
    "admin.reference_import": roles(Role.ADMIN),
    "admin.peers": roles(Role.ADMIN),
    "admin.peer_new": roles(Role.ADMIN),
    "admin.peer_edit": roles(Role.ADMIN),
    # notifications: everyone's own
    "notifications.index": LOGGED_IN,
    "notifications.read_all": LOGGED_IN,
    "notifications.settings": LOGGED_IN,
    "notifications.open_one": owner("enterprise_user", ALL_ROLES, others=FORBIDDEN),
    # operations
    "ops.mailbox": roles(Role.ADMIN),
    "ops.index": roles(*OPERATORS),
    "ops.retry_job": roles(*OPERATORS),
    "ops.retry_message": roles(*OPERATORS),
    "ops.run_periodic": roles(*OPERATORS),
    # the JSON API: a bearer token, never the session cookie (see API_MATRIX for the tokens)
    "api.openapi": PUBLIC,
    "api.me": TOKEN,
    "api.units": TOKEN,
    "api.categories": TOKEN,
    "api.tickets": TOKEN,
    "api.ticket": TOKEN,
    "api.events": TOKEN,
    "api.act": TOKEN,
    # Open311: public reading; filing needs an API key, never the session cookie
    "open311.discovery": PUBLIC,
    "open311.services": PUBLIC,
    "open311.service_definition": PUBLIC,
    "open311.requests": PUBLIC,
    "open311.request_detail": PUBLIC,
    "open311.token": PUBLIC,
    "open311.create_request": KEY,
    "open311.unknown": NOWHERE,
    # probes for load balancers: everyone; /metrics exists only with METRICS_ALLOWED_IPS or METRICS_TOKEN
    "health.healthz": PUBLIC,
    "health.readyz": PUBLIC,
    "health.metrics": NOWHERE,
    # the responsibility list (指标长): the unit's tasks; a task's page and evidence also to the office
    "unit.indicator_tasks": roles(*UNIT),
    "unit.indicator_task": roles(*UNIT, Role.SUPERVISOR),
    "unit.indicator_file": roles(*UNIT, Role.SUPERVISOR),
    "console.indicator_board": roles(Role.SUPERVISOR),
    "console.indicator_export": roles(Role.SUPERVISOR),
    "console.indicator_template": roles(Role.SUPERVISOR),
    "console.indicator_import": roles(Role.SUPERVISOR),
    "admin.indicators": roles(Role.ADMIN),
    "admin.indicator_new": roles(Role.ADMIN),
    "admin.indicator_edit": roles(Role.ADMIN),
    # the rectification ledger and supervision rounds: the office's; a unit's staff its own items (the
    # scene's is edu's); the public its progress
    "public.rectification": PUBLIC,
    "console.ledger_items": roles(Role.SUPERVISOR),
    "console.ledger_new": roles(Role.SUPERVISOR),
    "console.ledger_item": roles(Role.SUPERVISOR),
    "console.ledger_accept": roles(Role.SUPERVISOR),
    "console.ledger_send_back": roles(Role.SUPERVISOR),
    "console.ledger_assign": roles(Role.SUPERVISOR),
    "console.supervision_rounds": roles(Role.SUPERVISOR),
    "console.supervision_round": roles(Role.SUPERVISOR),
    "console.round_scores": roles(Role.SUPERVISOR),
    "console.round_finding": roles(Role.SUPERVISOR),
    "console.round_verify": roles(Role.SUPERVISOR),
    "unit.ledger_items": roles(*UNIT),
    "unit.ledger_item": ticket(*UNIT),  # edu's staff: TICKET_VIEWERS' unit staff
    "unit.ledger_submit": ticket(*UNIT),
    "unit.ledger_evidence": ticket(Role.HANDLER, Role.LEADER, Role.SUPERVISOR),
    # key projects: the scene's project is led by edu (leader: its chief service officer, handler: its
    # secretary); another unit's staff do not see it (404); the public page shows published projects
    "unit.projects": roles(*UNIT),
    "unit.project": Policy("viewers", UNIT, others=NOT_FOUND, viewers=frozenset({"handler", "leader"})),
    "unit.project_report": Policy("viewers", UNIT, others=NOT_FOUND, viewers=frozenset({"handler", "leader"})),
    "unit.milestone_done": Policy("viewers", UNIT, others=NOT_FOUND, viewers=frozenset({"handler", "leader"})),
    "console.projects": roles(Role.SUPERVISOR),
    "console.project": roles(Role.SUPERVISOR),
    "console.blocker_ticket": roles(Role.SUPERVISOR),
    "console.blocker_order": roles(Role.SUPERVISOR),
    "console.blocker_clear": roles(Role.SUPERVISOR),
    "console.projects_digest": roles(Role.SUPERVISOR),
    "console.project_new": roles(Role.SUPERVISOR),
    "public.projects": PUBLIC,
    # campaigns (专项活动): reports public, setup the office's, visits the visitors', questionnaires the enterprises'
    "public.campaigns": PUBLIC,
    "public.campaign": PUBLIC,
    "public.campaign_report_file": PUBLIC,
    "console.campaign_list": roles(Role.SUPERVISOR),
    "console.campaign_new": roles(Role.SUPERVISOR),
    "console.campaign_edit": roles(Role.SUPERVISOR),
    "console.campaign_state": roles(Role.SUPERVISOR),
    "console.campaign": roles(Role.SUPERVISOR),
    "console.campaign_forum": roles(Role.SUPERVISOR),
    "console.campaign_download": roles(Role.SUPERVISOR),
    "enterprise.campaign_visits": roles(Role.CADRE, *UNIT),
    "enterprise.campaign_visit": roles(Role.CADRE, *UNIT),
    "enterprise.campaign_questionnaire": roles(Role.ENTERPRISE),
}

#: The JSON API with a bearer token of each user (anonymous: no token). ``api.act`` is asked to sign for
#: the matrix's ticket, which only its lead unit may do.
API_MATRIX: dict[str, Policy] = {
    "api.openapi": PUBLIC,
    "api.me": roles(*API_USERS),
    "api.units": roles(*API_USERS),
    "api.categories": roles(*API_USERS),
    "api.tickets": roles(*API_USERS),
    "api.ticket": ticket(*API_USERS),
    "api.events": ticket(*API_USERS),
    "api.act": ticket(*UNIT),
}

#: Blueprints exempt from CSRF: they authenticate every request with a token or key sent by the client,
#: never with the cookie a browser adds by itself (the matrix proves a session alone gets nothing there).
# No session, no forms: machines; and the one-click unsubscribe a mail client POSTs (RFC 8058), whose
# signed token is the credential (tests/test_alerts.py).
CSRF_EXEMPT = ("api.", "open311.", "health.", "public.alert_unsubscribe")

#: ``<action>`` in the matrix's URLs.
ROUTES = routes()
POST_ROUTES = [r for r in ROUTES if r[2] == "POST" and not r[0].startswith(CSRF_EXEMPT)]
GET_ROUTES = [r for r in ROUTES if r[2] == "GET"]


def _route_id(route: tuple[str, str, str]) -> str:
    return f"{route[2]} {route[1]}"


def _params(routes: list[tuple[str, str, str]]) -> list:
    return [pytest.param(*route, id=_route_id(route)) for route in routes]


# ---------------------------------------------------------------- the scene


@pytest.fixture(scope="module")
def world(module_transaction):
    """Built once for the module: the cells only read it, and each test's writes are rolled back."""
    return factories.built_world()


@pytest.fixture(scope="module")
def scene(world) -> Scene:
    return build_scene(world)


def verdict(response, expected) -> str | None:
    """None when ``response`` is what the cell expects, else what went wrong."""
    status = response.status_code
    location = urlsplit(response.headers.get("Location", "")).path
    to_login = status == 302 and location == "/auth/login"
    if isinstance(response, _Raised):
        return f"raised {response.error!r}"
    if status >= 500:
        return f"server error {status}"
    if expected == ALLOW:
        ok = status not in (401, 403) and not to_login
    elif expected == LOGIN:
        ok = to_login
    else:
        ok = status == expected
    return None if ok else f"expected {expected}, got {status} {location}".rstrip()


def ask(client, method: str, url: str, **kwargs):
    """One request; an exception the app let escape counts as a server error."""
    try:
        return client.open(url, method=method, data={} if method == "POST" else None, **kwargs)
    except Exception as err:  # noqa: BLE001 - reported as the cell's failure
        db.session.rollback()
        return _Raised(err)


class _Raised:
    """Stands for the response to a request whose view raised."""

    status_code = 500

    def __init__(self, error: Exception):
        self.error = error
        self.headers: dict[str, str] = {}


def allowed_one(endpoint: str) -> str:
    """Someone the matrix lets use ``endpoint``, anonymous for public routes."""
    policy = MATRIX[endpoint]
    return next(who for who in WHO if policy.expect(who) == ALLOW)


def snapshot() -> dict[str, list[str]]:
    """Every row of every table, to prove that a refused request changed nothing."""
    db.session.expire_all()
    return {
        table.name: sorted(repr(tuple(row)) for row in db.session.execute(select(table)))
        for table in db.metadata.sorted_tables
    }


def ticket_facts(ticket_: Ticket) -> tuple:
    db.session.expire_all()
    ticket_ = db.session.get(Ticket, ticket_.id)
    return ticket_.state, ticket_.version, len(ticket_.events)


# ---------------------------------------------------------------- the matrix


def test_every_route_is_in_the_permission_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert set(MATRIX) - endpoints == set(), "the matrix lists endpoints that no longer exist"
    assert endpoints - set(MATRIX) == set(), "new routes: say in MATRIX who may use them"
    api = {e for e in endpoints if e.startswith("api.")}
    assert set(API_MATRIX) == api, "every API endpoint needs its line in API_MATRIX too"


@pytest.mark.parametrize("endpoint, rule, method", _params(ROUTES))
def test_every_route_answers_every_role_as_the_matrix_says(client, login, world, scene, endpoint, rule, method):
    """Anonymous visitors of protected pages are sent to log in, a wrong role or someone else's ticket gets
    403, the right one gets through (a POST with an empty form may be refused as bad input), and nobody
    ever gets a server error."""
    assert endpoint in MATRIX, f"{endpoint} is not in the permission matrix"
    policy = MATRIX[endpoint]
    url = url_for_route(endpoint, rule, world, scene)
    wrong = []
    for who in WHO:
        become(client, login, world, who)
        problem = verdict(ask(client, method, url), policy.expect(who))
        if problem:
            wrong.append(f"{who}: {problem}")
    assert not wrong, f"{method} {url}: " + "; ".join(wrong)


API_ROUTES = [r for r in ROUTES if r[0].startswith("api.")]


@pytest.mark.parametrize("endpoint, rule, method", API_ROUTES, ids=[_route_id(r) for r in API_ROUTES])
def test_the_api_answers_each_users_token_as_the_matrix_says(client, world, scene, endpoint, rule, method):
    """Without a token 401; enterprises, cadres and administrators 403; another unit's ticket 403."""
    policy = API_MATRIX[endpoint]
    url = url_for_route(endpoint, rule, world, scene)
    secrets = {}
    for who in WHO[1:]:
        token_, secrets[who] = ApiToken.issue(getattr(world, who), "matrix")
        db.session.add(token_)
    db.session.commit()
    become(client, None, world, "anonymous")
    wrong = []
    for who in WHO:
        headers = {"Authorization": f"Bearer {secrets[who]}"} if who in secrets else {}
        problem = verdict(ask(client, method, url, headers=headers), policy.expect(who, anonymous=UNAUTHORIZED))
        if problem:
            wrong.append(f"{who}: {problem}")
    assert not wrong, f"{method} {url}: " + "; ".join(wrong)


# ---------------------------------------------------------------- tickets belong to their parties

MY_PAGES = ["/my/tickets/{id}", "/my/tickets/{id}/material", "/my/tickets/{id}/rate", "/my/tickets/{id}/followed"]
UNIT_PAGES = [
    "/unit/tickets/{id}",
    "/unit/tickets/{id}/sign",
    "/unit/tickets/{id}/return",
    "/unit/tickets/{id}/note",
    "/unit/tickets/{id}/extension",
    "/unit/tickets/{id}/material",
    "/unit/tickets/{id}/reply",
    "/unit/tickets/{id}/order-answer",
]
CONSOLE_PAGES = ["/console/tickets/{id}", "/console/tickets/{id}/approve_reply"]
API_PAGES = ["/api/v1/tickets/{id}", "/api/v1/tickets/{id}/events", "/api/v1/tickets/{id}/actions/sign"]


def _open(client, path: str, **kwargs):
    """GET a ticket page, POST to an action."""
    page = re.fullmatch(r"/(my|unit|console|api/v1)/tickets/\d+(/events|/followed)?", path)
    return client.open(path, method="GET" if page else "POST", **kwargs)


def _ticket_page_routes_are_all_listed():
    listed = {re.sub(r"\{id\}", "<id:ticket_id>", p) for p in MY_PAGES + UNIT_PAGES + CONSOLE_PAGES}
    listed = {p.replace("/approve_reply", "/<action>") for p in listed}
    prefixes = ("/my/tickets/", "/unit/tickets/", "/console/tickets/")
    routes = {r.rule for r in ROUTES_APP.url_map.iter_rules() if r.rule.startswith(prefixes)}
    return routes - listed


def test_the_ownership_tests_cover_every_ticket_route_of_the_portals():
    assert _ticket_page_routes_are_all_listed() == set()


@pytest.mark.parametrize("path", MY_PAGES)
def test_an_enterprise_never_sees_another_enterprises_ticket(client, login, world, scene, path):
    response = _open(login(world.rival_user), path.format(id=scene.ticket.id))
    assert response.status_code == 403
    assert scene.ticket.title not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", UNIT_PAGES)
def test_a_unit_never_sees_another_units_ticket(client, login, world, scene, path):
    response = _open(login(world.hr_handler), path.format(id=scene.ticket.id))
    assert response.status_code == 403
    assert scene.ticket.title not in response.get_data(as_text=True)


def test_a_cadre_sees_the_paired_enterprises_tickets_and_no_other(client, login, world, scene):
    assert login(world.cadre).get(f"/my/tickets/{scene.ticket.id}").status_code == 200
    for path in MY_PAGES:
        assert _open(login(world.cadre), path.format(id=scene.rival_ticket.id)).status_code == 403, path


@pytest.mark.parametrize(
    "who, paths",
    [
        ("enterprise_user", MY_PAGES),
        ("cadre", MY_PAGES),
        ("handler", UNIT_PAGES),
        ("supervisor", CONSOLE_PAGES),
    ],
)
def test_a_missing_ticket_is_404_on_every_portal(client, login, world, scene, who, paths):
    for path in paths:
        assert _open(login(getattr(world, who)), path.format(id=999999)).status_code == 404, path


def test_a_missing_ticket_is_404_in_the_api(client, world, scene):
    token_, secret = ApiToken.issue(world.supervisor, "matrix")
    db.session.add(token_)
    db.session.commit()
    for path in API_PAGES:
        response = _open(client, path.format(id=999999), headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 404, path


@pytest.mark.parametrize(
    "who, lists",
    [
        ("rival_user", ["/my/", "/my/?status=open"]),
        ("hr_handler", ["/unit/", "/unit/?tab=to_sign"]),
        ("admin", ["/notifications/"]),
    ],
)
def test_lists_show_nobody_a_ticket_that_is_not_theirs(client, login, world, scene, who, lists):
    for path in lists:
        response = login(getattr(world, who)).get(path)
        assert response.status_code == 200, path
        assert scene.ticket.tracking_no not in response.get_data(as_text=True), path


def test_the_api_lists_no_other_units_tickets(client, world, scene):
    token_, secret = ApiToken.issue(world.hr_handler, "matrix")
    db.session.add(token_)
    db.session.commit()
    response = client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.get_json()["items"] == []


# Each ticket action: the state the ticket must be in, the form that would make the action happen,
# who may not make it (403) and who may (the control that the same request does something).


def _in_progress(world, t):
    return advance(world, t, State.IN_PROGRESS)


def _awaiting_material(world, t):
    advance(world, t, State.IN_PROGRESS)
    workflow.perform(t, "request_material", world.handler, note="请补充营业执照")
    return t


def _ordered(world, t):
    advance(world, t, State.IN_PROGRESS)
    workflow.perform(t, "issue_order", world.supervisor, level="general", note="尽快办理", deadline=t.handle_due.date())
    return t


def _extension_form(t) -> dict:
    cal = load_calendar()
    day = t.handle_due.date() + timedelta(days=3)
    while not cal.is_working_day(day):
        day += timedelta(days=1)
    return {"new_due": day.isoformat(), "extension_reason": "需要现场核查"}


ACTIONS = [
    # path, prepare, form(ticket), forbidden, allowed, whose ticket
    (
        "/my/tickets/{id}/material",
        _awaiting_material,
        lambda t: {"note": "已补充"},
        "rival_user",
        "enterprise_user",
        "acme",
    ),
    ("/my/tickets/{id}/material", _awaiting_material, lambda t: {"note": "已补充"}, "cadre", "rival_user", "rival"),
    (
        "/my/tickets/{id}/rate",
        lambda w, t: advance(w, t, State.AWAITING_RATING),
        lambda t: {"rating": "5", "solved": "yes"},
        "rival_user",
        "cadre",
        "acme",
    ),
    (
        "/my/tickets/{id}/rate",
        lambda w, t: advance(w, t, State.AWAITING_RATING),
        lambda t: {"rating": "5", "solved": "yes"},
        "cadre",
        "rival_user",
        "rival",
    ),
    ("/unit/tickets/{id}/sign", lambda w, t: t, lambda t: {}, "hr_handler", "handler", "acme"),
    (
        "/unit/tickets/{id}/return",
        lambda w, t: t,
        lambda t: {"reason": "非本单位职责", "basis": "三定方案"},
        "hr_handler",
        "leader",
        "acme",
    ),
    ("/unit/tickets/{id}/note", _in_progress, lambda t: {"note": "已联系学校"}, "hr_handler", "handler", "acme"),
    ("/unit/tickets/{id}/extension", _in_progress, _extension_form, "hr_handler", "handler", "acme"),
    ("/unit/tickets/{id}/material", _in_progress, lambda t: {"material": "营业执照"}, "hr_handler", "handler", "acme"),
    (
        "/unit/tickets/{id}/reply",
        _in_progress,
        lambda t: {"outcome": "resolved", "text": "已解决"},
        "hr_handler",
        "handler",
        "acme",
    ),
    ("/unit/tickets/{id}/order-answer", _ordered, lambda t: {"answer": "已办理"}, "hr_handler", "handler", "acme"),
    (
        "/console/tickets/{id}/approve_reply",
        lambda w, t: advance(w, t, State.REPLIED),
        lambda t: {},
        "handler",
        "supervisor",
        "acme",
    ),
    (
        "/console/tickets/{id}/issue_order",
        _in_progress,
        lambda t: {
            "issue_order-level": "general",
            "issue_order-deadline": t.handle_due.date().isoformat(),
            "issue_order-note": "尽快",
        },
        "leader",
        "supervisor",
        "acme",
    ),
]


@pytest.mark.parametrize(
    "path, prepare, form, forbidden, allowed, whose", ACTIONS, ids=[f"{a[0]} {a[3]} on {a[5]}'s" for a in ACTIONS]
)
def test_an_action_by_someone_not_allowed_is_403_and_changes_nothing(
    client, login, world, scene, path, prepare, form, forbidden, allowed, whose
):
    target = scene.ticket if whose == "acme" else scene.rival_ticket
    prepare(world, target)
    db.session.commit()
    before = ticket_facts(target)
    data = {**form(target), "version": str(target.version)}
    url = path.format(id=target.id)

    assert login(getattr(world, forbidden)).post(url, data=data).status_code == 403
    assert ticket_facts(target) == before

    # The control: the same request by someone allowed does act.
    response = login(getattr(world, allowed)).post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert ticket_facts(target) != before


def test_an_api_action_on_another_units_ticket_is_403_and_changes_nothing(client, world, scene):
    secrets = {}
    for who in ("hr_handler", "handler"):
        token_, secrets[who] = ApiToken.issue(getattr(world, who), "matrix")
        db.session.add(token_)
    db.session.commit()
    before = ticket_facts(scene.ticket)
    url = f"/api/v1/tickets/{scene.ticket.id}/actions/sign"
    response = client.post(url, json={}, headers={"Authorization": f"Bearer {secrets['hr_handler']}"})
    assert response.status_code == 403
    assert ticket_facts(scene.ticket) == before
    response = client.post(url, json={}, headers={"Authorization": f"Bearer {secrets['handler']}"})
    assert response.status_code == 200
    assert ticket_facts(scene.ticket)[0] == State.IN_PROGRESS


def test_a_session_does_not_open_the_api(client, login, world, scene):
    """The API is exempt from CSRF because it never reads the cookie a browser sends by itself."""
    before = ticket_facts(scene.ticket)
    response = login(world.handler).post(f"/api/v1/tickets/{scene.ticket.id}/actions/sign", json={})
    assert response.status_code == 401
    assert ticket_facts(scene.ticket) == before


# ---------------------------------------------------------------- the public sees nothing unpublished


def test_an_unpublished_ticket_is_404_on_the_disclosure_pages(client, world, scene):
    assert client.get(f"/disclosure/{scene.ticket.tracking_no}").status_code == 404
    assert client.get(f"/disclosure/{scene.published.tracking_no}").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/disclosure",
        "/disclosure?q=职工",
        "/feeds/problems.atom",
        "/feeds/results.atom",
        "/feeds/units/{edu}/problems.atom",
        "/feeds/categories/{schooling}/problems.atom",
    ],
)
def test_an_unpublished_ticket_is_absent_from_public_lists_and_feeds(client, world, scene, path):
    response = client.get(path.format(edu=world.edu.id, schooling=world.schooling.id))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert scene.ticket.tracking_no not in text
    assert scene.rival_ticket.tracking_no not in text


def test_the_published_ticket_is_listed_so_the_absence_above_means_something(client, world, scene):
    assert scene.published.tracking_no in client.get("/disclosure").get_data(as_text=True)
    assert scene.published.tracking_no in client.get("/feeds/problems.atom").get_data(as_text=True)


@pytest.mark.parametrize("published", [False, True])
def test_an_unreleased_file_is_404_for_anonymous_visitors(client, world, scene, published):
    if published:
        publish(world, scene.ticket)
        db.session.commit()
    assert client.get(f"/files/{scene.attachment.id}").status_code == 404


def test_open311_shows_no_text_of_an_unpublished_ticket(client, world, scene):
    response = client.get(f"/open311/v2/requests/{scene.ticket.tracking_no}.json")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    for secret in (scene.ticket.title, scene.ticket.description, world.acme.name):
        assert secret not in text


# ---------------------------------------------------------------- CSRF


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


#: Forms that would do something if CSRF let them through.
WORKING_FORMS = {
    "unit.sign": {},
    "unit.return_ticket": {"reason": "非本单位职责", "basis": "三定方案"},
    "console.act": {"approve_reply-note": "同意"},
    "auth.logout": {},
    "notifications.read_all": {},
    "notifications.open_one": {},
    "admin.rule_retire": {},
    "admin.pair_remove": {},
    "admin.api_key_revoke": {},
    "auth.token_revoke": {},
    "auth.token_new": {"name": "我的系统"},
    "console.resend_invitation": {},
    "console.decide_verification": {"decision": "approve"},
    "enterprise.send_code": {"channel": "sms"},
    "enterprise.check_code": {"code": "123456"},
    "auth.activate": {"name": "王二", "username": "acme3", "password": "Strong-pass-123", "confirm": "Strong-pass-123"},
    "enterprise.colleagues": {
        "username": "acme2",
        "name": "王二",
        "mobile": "13812345678",
        "password": "Strong-pass-123",
        "password2": "Strong-pass-123",
    },
}


@pytest.mark.parametrize("endpoint, rule, method", POST_ROUTES, ids=[_route_id(r) for r in POST_ROUTES])
def test_every_post_without_a_csrf_token_is_400_and_changes_nothing(
    client, login, world, scene, csrf_on, endpoint, rule, method
):
    who = allowed_one(endpoint)
    url = url_for_route(endpoint, rule, world, scene)
    become(client, login, world, who)
    before = snapshot()
    response = client.post(url, data=WORKING_FORMS.get(endpoint, {}))
    assert response.status_code == 400, f"{who}: {response.status_code}"
    assert "The form has expired" in response.get_data(as_text=True)
    assert snapshot() == before


def test_the_csrf_switch_works_at_runtime_so_the_400s_above_are_csrfs(client, login, world, scene, app):
    """The same request passes with CSRF off, and with CSRF on when it carries the page's token."""
    url = "/notifications/read-all"
    assert login(world.handler).post(url).status_code == 302
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert login(world.handler).post(url).status_code == 400
        page = login(world.handler).get("/notifications/settings").get_data(as_text=True)
        token_ = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        assert login(world.handler).post(url, data={"csrf_token": token_}).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
POST_METHOD = re.compile(r"""method\s*=\s*["']?post""", re.I)
CSRF_FIELD = re.compile(r'name="([\w-]+-)?csrf_token"')  # a prefixed form's is e.g. "dispatch-csrf_token"
TICKET_GETS = [r for r in GET_ROUTES if "ticket_id>" in r[1] and not r[0].startswith("api.")]
OTHER_GETS = [r for r in GET_ROUTES if r not in TICKET_GETS and not r[0].startswith(CSRF_EXEMPT)]


def _post_forms_without_token(html: str) -> list[str]:
    return [
        attrs.strip() for attrs, body in FORM.findall(html) if POST_METHOD.search(attrs) and not CSRF_FIELD.search(body)
    ]


@pytest.mark.parametrize("endpoint, rule, method", OTHER_GETS, ids=[_route_id(r) for r in OTHER_GETS])
def test_every_post_form_on_a_page_carries_a_csrf_token(client, login, world, scene, csrf_on, endpoint, rule, method):
    who = allowed_one(endpoint)
    response = become(client, login, world, who).get(url_for_route(endpoint, rule, world, scene))
    assert response.status_code < 500
    if response.mimetype == "text/html":  # not the downloads (spreadsheets)
        assert _post_forms_without_token(response.get_data(as_text=True)) == []


@pytest.mark.parametrize(
    "state",
    [
        State.DISPATCHED,
        State.IN_PROGRESS,
        State.AWAITING_MATERIAL,
        State.REPLIED,
        State.AWAITING_RATING,
        State.RATING_REVIEW,
        State.CLOSED,
    ],
)
def test_every_post_form_on_a_ticket_page_carries_a_csrf_token(client, login, world, scene, csrf_on, state):
    target = scene.ticket
    if state == State.AWAITING_MATERIAL:
        _awaiting_material(world, target)
    elif state == State.RATING_REVIEW:
        advance(world, target, State.AWAITING_RATING)
        workflow.perform(target, "rate", world.enterprise_user, rating=1, solved=False, comment="没解决")
    else:
        advance(world, target, state)
    db.session.commit()
    seen = 0
    for endpoint, rule, _method in TICKET_GETS:
        response = become(client, login, world, allowed_one(endpoint)).get(url_for_route(endpoint, rule, world, scene))
        assert response.status_code == 200, endpoint
        html = response.get_data(as_text=True)
        seen += len(FORM.findall(html))
        assert _post_forms_without_token(html) == [], endpoint
    assert seen > 0
