"""Factories for tests: plain functions that add rows and return them (the caller commits)."""

import io
import itertools
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from xml.etree import ElementTree as ET

import docx
import openpyxl

from supervise.domain import credit_code, routing, verification, workflow
from supervise.domain.intake import Complaint, file_complaint
from supervise.extensions import db
from supervise.models import (
    Area,
    Category,
    Enterprise,
    LiaisonPair,
    LimitClass,
    Role,
    State,
    Ticket,
    Unit,
    UnitKind,
    User,
)

PASSWORD = "Test-pass-123"
_seq = itertools.count(1)


def valid_credit_code(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    first17 = f"91420600{n:09d}"
    return first17 + credit_code.check_character(first17)


def make_unit(name: str, kind: UnitKind = UnitKind.DEPARTMENT, parent: Unit | None = None) -> Unit:
    unit = Unit(name=name, kind=kind, parent=parent)
    db.session.add(unit)
    return unit


def make_user(
    role: Role,
    username: str | None = None,
    unit: Unit | None = None,
    enterprise: Enterprise | None = None,
    name: str | None = None,
    verified: bool = True,
) -> User:
    username = username or f"{role.value}{next(_seq)}"
    user = User(
        username=username,
        name=name or username,
        role=role,
        unit=unit,
        enterprise=enterprise,
        mobile="13800000000",
        email=f"{username}@example.com",
    )
    user.set_password(PASSWORD)
    if verified:
        verification.verify_by_staff(user)
    db.session.add(user)
    return user


def make_enterprise(name: str, industry: str = "制造业", area: Area | None = None) -> Enterprise:
    enterprise = Enterprise(
        name=name,
        credit_code=valid_credit_code(),
        industry=industry,
        contact_name="王建国",
        contact_mobile="13912345678",
        email="wang@corp.example",
        area=area,
        contact_on_record=True,
    )
    db.session.add(enterprise)
    return enterprise


@dataclass
class World:
    office: Unit
    edu: Unit  # 教育局
    hr: Unit  # 人社局
    street: Unit  # 街道办
    area: Area
    other_area: Area
    public_services: Category  # top-level area
    schooling: Category  # 子女入学 -> edu by rule
    hiring: Category  # 员工招聘 -> hr by category default
    misc: Category  # 其他 -> no rule: dispatch queue
    acme: Enterprise
    rival: Enterprise
    enterprise_user: User
    rival_user: User
    handler: User  # edu
    leader: User  # edu
    hr_handler: User
    supervisor: User
    cadre: User  # paired with acme
    admin: User


def build_world() -> World:
    office = make_unit("区营商环境建设办公室", UnitKind.OFFICE)
    edu = make_unit("区教育局")
    hr = make_unit("区人力资源和社会保障局")
    street = make_unit("东津街道办事处", UnitKind.STREET)
    area = Area(name="东津街道")
    other_area = Area(name="团山镇")
    public_services = Category(name="公共服务")
    schooling = Category(
        name="子女入学",
        parent=public_services,
        limit_class=LimitClass.STANDARD,
        intake_questions="孩子年龄\n希望就读的学校",
    )
    hiring = Category(name="员工招聘", parent=public_services, default_lead_unit=hr, limit_class=LimitClass.SIMPLE)
    misc = Category(name="其他问题", parent=public_services)
    schooling.co_units = [street]
    db.session.add_all([area, other_area, public_services, schooling, hiring, misc])
    db.session.flush()
    routing.add_rule(schooling, edu, None, None)
    acme = make_enterprise("襄阳市恒达精密制造有限公司", area=area)
    rival = make_enterprise("襄阳市云帆信息技术有限公司", industry="信息技术")
    cadre = make_user(Role.CADRE, "cadre", name="李包联")
    world = World(
        office=office,
        edu=edu,
        hr=hr,
        street=street,
        area=area,
        other_area=other_area,
        public_services=public_services,
        schooling=schooling,
        hiring=hiring,
        misc=misc,
        acme=acme,
        rival=rival,
        enterprise_user=make_user(Role.ENTERPRISE, "acme", enterprise=acme, name="王建国"),
        rival_user=make_user(Role.ENTERPRISE, "rival", enterprise=rival, name="赵云帆"),
        handler=make_user(Role.HANDLER, "edu_handler", unit=edu, name="陈承办"),
        leader=make_user(Role.LEADER, "edu_leader", unit=edu, name="刘局长"),
        hr_handler=make_user(Role.HANDLER, "hr_handler", unit=hr, name="周承办"),
        supervisor=make_user(Role.SUPERVISOR, "supervisor", unit=office, name="孙督办"),
        cadre=cadre,
        admin=make_user(Role.ADMIN, "admin", name="系统管理员"),
    )
    db.session.flush()
    db.session.add(LiaisonPair(cadre_id=cadre.id, enterprise_id=acme.id))
    db.session.flush()
    return world


def built_world() -> World:
    """``build_world()``, committed."""
    world = build_world()
    db.session.commit()
    return world


def file_ticket(
    world: World,
    category: Category | None = None,
    enterprise: Enterprise | None = None,
    at: datetime | None = None,
    **fields,
) -> Ticket:
    enterprise = enterprise or world.acme
    complaint = Complaint(
        enterprise=enterprise,
        category=category or world.schooling,
        title=fields.pop("title", "职工子女入学难"),
        description=fields.pop("description", "我公司职工子女今年秋季入学没有学位，联系电话13912345678。"),
        area_id=fields.pop("area_id", world.area.id),
        **fields,
    )
    user = world.enterprise_user if enterprise == world.acme else world.rival_user
    ticket, _ = file_complaint(complaint, user, at=at)
    db.session.flush()
    return ticket


#: The smallest PDF the upload check accepts (a reply's document, a complaint's evidence).
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


# The usual path, as (action, actor attribute on World, data).
HAPPY_PATH = [
    ("accept", "supervisor", {}),
    ("sign", "handler", {}),
    ("reply", "handler", {"outcome": "resolved", "text": "已协调学位，孩子已入学。"}),
    ("approve_reply", "supervisor", {}),
    ("rate", "enterprise_user", {"rating": 5, "solved": True}),
]
STATE_AFTER = {
    "accept": State.DISPATCHED,
    "sign": State.IN_PROGRESS,
    "reply": State.REPLIED,
    "approve_reply": State.AWAITING_RATING,
    "rate": State.CLOSED,
}


PATH_FROM = dict(zip([State.SUBMITTED, *STATE_AFTER.values()], HAPPY_PATH, strict=False))


def advance(world: World, ticket: Ticket, to: State, at: datetime | None = None) -> Ticket:
    """Move ``ticket`` along the usual path, from wherever it is on it, until it reaches ``to``."""
    while ticket.state != to:
        assert ticket.state in PATH_FROM, f"{to} is not ahead of {ticket.state} on the usual path"
        action, who, data = PATH_FROM[ticket.state]
        workflow.perform(ticket, action, getattr(world, who), at=at, **data)
        db.session.flush()
    return ticket


def publish(world: World, ticket: Ticket, at: datetime | None = None) -> Ticket:
    workflow.perform(
        ticket,
        "publish",
        world.supervisor,
        at=at,
        public_title="职工子女入学难",
        public_summary="某企业反映职工子女入学没有学位。",
    )
    if ticket.state == State.CLOSED:
        workflow.perform(ticket, "publish_result", world.supervisor, at=at, public_reply="已协调解决。")
    db.session.flush()
    return ticket


def complaint_form(world: World, **overrides) -> dict:
    """The fields of the enterprise's complaint form for a schooling complaint (``key`` names the submission)."""
    data = {
        "submission_key": "k-" + overrides.pop("key", "default"),
        "category_id": str(world.schooling.id),
        "title": "职工子女入学难",
        "description": "我公司三名职工的子女今年秋季没有学位。",
        "area_id": str(world.area.id),
        "contact_name": "王建国",
        "contact_mobile": "13912345678",
        "contact_email": "wang@corp.example",
        "publish_consent": "y",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------- measures: tickets at known times


MONDAY = datetime(2026, 3, 2, 9)  # a Monday; no holiday that week


def dispatched(world, category=None, at=MONDAY, **accept) -> Ticket:
    """A complaint filed and accepted at ``at`` (routed by its category unless ``unit_id`` is given)."""
    ticket = file_ticket(world, category, at=at)
    workflow.perform(ticket, "accept", world.supervisor, at=at, **accept)
    db.session.flush()
    return ticket


def handled(world, ticket, handler, at=MONDAY, sign_at=None, reply_at=None, rating=None, solved=True) -> Ticket:
    """Sign, reply, approve and (when ``rating`` is given) rate ``ticket``."""
    workflow.perform(ticket, "sign", handler, at=sign_at or at + timedelta(hours=1))
    reply_at = reply_at or at + timedelta(hours=2)
    workflow.perform(ticket, "reply", handler, at=reply_at, outcome="resolved", text="已解决。")
    workflow.perform(ticket, "approve_reply", world.supervisor, at=reply_at + timedelta(minutes=5))
    if rating is not None:
        workflow.perform(
            ticket, "rate", world.enterprise_user, at=reply_at + timedelta(minutes=10), rating=rating, solved=solved
        )
    db.session.flush()
    return ticket


# ---------------------------------------------------------------- forms and requests of each channel


def intake_data(world, **overrides) -> dict:
    """The staff intake form, filled."""
    data = {
        "submission_key": "key-1",
        "enterprise": world.acme.credit_code,
        "source": "hotline",
        "category_id": world.schooling.id,
        "area_id": world.area.id,
        "title": "热线反映职工子女入学难",
        "description": "企业来电反映职工子女没有学位。",
        "contact_name": "王建国",
        "contact_mobile": "13912345678",
        "contact_email": "",
        "publish_consent": "y",
    }
    data.update(overrides)
    return data


API = "/open311/v2"  # Open311 GeoReport v2


def parse(response) -> list | dict:
    """A response body as Python data: JSON as is, XML by the spec's mapping (lists of dicts)."""
    if response.content_type.startswith("application/json"):
        return json.loads(response.get_data(as_text=True))
    assert response.content_type.startswith("text/xml")
    assert response.get_data().startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return _from_xml(ET.fromstring(response.get_data()))


_LISTS = {"services", "attributes", "values", "endpoints", "formats", "service_requests", "errors"}


def _from_xml(element: ET.Element):
    if element.tag in _LISTS:
        return [_from_xml(child) for child in element]
    if len(element):
        return {child.tag: _from_xml(child) for child in element}
    return element.text


def post(client, fmt="json", **fields):
    """File an Open311 service request."""
    return client.post(f"{API}/requests.{fmt}", data=fields)


def filing(world, secret, **extra) -> dict:
    """An Open311 service request's fields, filled (``None`` drops a field)."""
    fields = {
        "api_key": secret,
        "service_code": str(world.schooling.id),
        "description": "我公司职工子女今年秋季入学没有学位，希望协调解决。",
        "attribute[credit_code]": world.acme.credit_code,
        "attribute[company_name]": world.acme.name,
        "attribute[q1]": "6岁",
        "attribute[area]": str(world.area.id),
        "first_name": "建国",
        "last_name": "王",
        "phone": "139 1234 5678",
        "email": "wang@corp.example",
    }
    fields.update(extra)
    return {k: v for k, v in fields.items() if v is not None}


# ---------------------------------------------------------------- reading responses


def readable(response) -> str:
    """The text of a page, feed, CSV, spreadsheet or Word download, to search for secrets."""
    if response.mimetype.endswith("spreadsheetml.sheet"):
        book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
        return "\n".join(
            str(value)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    if response.mimetype.endswith("wordprocessingml.document"):
        document = docx.Document(io.BytesIO(response.data))
        cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    return response.data.decode("utf-8-sig")


class SmtpInbox:
    """A real local SMTP server (aiosmtpd) on a free port that keeps what it receives; ``deliver_to(app)``
    points the app's mail at it, as in production (Flask-Mail over SMTP)."""

    def __init__(self):
        import socket

        from aiosmtpd.controller import Controller

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.received: list[tuple[list[str], bytes]] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    def messages(self) -> list:
        from email import policy
        from email.parser import BytesParser

        return [BytesParser(policy=policy.default).parsebytes(raw) for _rcpts, raw in self.received]

    def settings(self) -> dict:
        return {
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": self.port,
            "MAIL_USE_TLS": False,
            "MAIL_USE_SSL": False,
            "MAIL_DEFAULT_SENDER": "supervise@zone.example.gov.cn",
            "MAIL_SUPPRESS_SEND": False,  # Flask-Mail suppresses sending under TESTING otherwise
        }
