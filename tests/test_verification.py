"""Enterprise identity: an account speaks for its company only once verified.

Anyone can register an account for a valid credit code; until it is verified (a code to the contact on
record, a licence reviewed by a supervisor, an invitation, a verified colleague) it sees only what it
filed itself, never the complaints staff, cadres or Open311 filed for the same code. A company first
known through those channels is invited to activate an account.
"""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from supervise.domain import invitations
from supervise.domain.clock import frozen, now
from supervise.extensions import db
from supervise.models import (
    Enterprise,
    Invitation,
    LicenceReview,
    OutboxMessage,
    Role,
    Source,
    State,
    Ticket,
    User,
    Verification,
    VerificationCode,
    VerificationMethod,
)
from supervise.open311 import keys
from tests.factories import PASSWORD, advance, make_enterprise, valid_credit_code

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
BASE = "https://supervise.example.gov.cn"


def text(response) -> str:
    return response.get_data(as_text=True)


def register(
    client, code: str, username: str = "squatter", company: str = "冒名顶替有限公司", mobile: str = "13700000001"
):
    return client.post(
        "/auth/register",
        data={
            "company": company,
            "credit_code": code,
            "industry": "制造业",
            "area_id": "0",
            "contact_name": "张冒",
            "mobile": mobile,
            "email": "",
            "username": username,
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )


def intake(
    client, world, code: str, new_company: str = "", mobile: str = "13911112222", email: str = "", key: str = "intake-1"
):
    response = client.post(
        "/console/intake",
        data={
            "submission_key": key,
            "enterprise": code,
            "new_company": new_company,
            "source": "hotline",
            "category_id": world.schooling.id,
            "area_id": world.area.id,
            "title": "热线反映员工招聘难",
            "description": "来电人反映企业招不到技术工人，联系电话13911112222。",
            "contact_name": "钱来电",
            "contact_mobile": mobile,
            "contact_email": email,
            "publish_consent": "y",
        },
    )
    if response.status_code == 302:
        client.get(response.location)  # the flash with the tracking number is the supervisor's to see
    return response


def account(username: str) -> User:
    db.session.expire_all()
    return User.by_username(username)


@pytest.fixture
def base_url(app):
    previous = app.config["PUBLIC_BASE_URL"]
    app.config["PUBLIC_BASE_URL"] = BASE
    yield BASE
    app.config["PUBLIC_BASE_URL"] = previous


# ---------------------------------------------------------------- the squatter


def test_a_squatter_does_not_see_complaints_staff_later_file_for_the_code_it_registered(client, login, world):
    code = valid_credit_code()
    assert register(client, code).status_code == 302
    squatter = account("squatter")
    assert squatter.verification == Verification.UNVERIFIED and squatter.enterprise.credit_code == code

    login(world.supervisor)
    assert intake(client, world, code).status_code == 302
    ticket = db.session.scalar(select(Ticket))
    assert ticket.enterprise_id == squatter.enterprise_id  # the complaint belongs to the company …

    client = login(squatter)  # … but the unverified account sees nothing of it
    listing = text(client.get("/my/"))
    assert ticket.tracking_no not in listing and "not verified" in listing
    assert client.get(f"/my/tickets/{ticket.id}").status_code == 403
    advance(world, ticket, State.AWAITING_RATING)
    db.session.commit()
    rated = client.post(
        f"/my/tickets/{ticket.id}/rate", data={"rating": "1", "solved": "no", "version": ticket.version}
    )
    assert rated.status_code == 403 and ticket.state == State.AWAITING_RATING
    assert client.post(f"/my/tickets/{ticket.id}/material", data={"note": "x"}).status_code == 403
    told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == squatter.id)).all()
    assert told == []  # and is told nothing about it


def test_an_unverified_account_follows_and_rates_what_it_filed_itself(client, login, world):
    register(client, valid_credit_code())
    applicant = account("squatter")
    client = login(applicant)
    response = client.post(
        "/my/new",
        data={
            "submission_key": "k1",
            "category_id": world.schooling.id,
            "area_id": world.area.id,
            "title": "自己提交的诉求",
            "description": "我们自己提交的诉求。",
            "contact_name": "张冒",
            "contact_mobile": "13700000001",
            "publish_consent": "y",
        },
    )
    assert response.status_code == 302
    ticket = db.session.scalar(select(Ticket))
    assert ticket.tracking_no in text(client.get("/my/"))
    assert client.get(f"/my/tickets/{ticket.id}").status_code == 200
    advance(world, ticket, State.AWAITING_RATING)
    db.session.commit()
    response = client.post(
        f"/my/tickets/{ticket.id}/rate", data={"rating": "5", "solved": "yes", "version": ticket.version}
    )
    assert response.status_code == 302 and ticket.state == State.CLOSED
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.user_id == applicant.id, OutboxMessage.ticket_id == ticket.id)
        )
        > 0
    )  # told of the reply


def test_an_unverified_account_cannot_add_colleagues(client, login, world):
    register(client, valid_credit_code())
    client = login(account("squatter"))
    response = client.post(
        "/my/colleagues", data={"username": "friend", "name": "朋友", "mobile": "13812345678", "password": PASSWORD}
    )
    assert response.status_code == 302 and response.location.endswith("/my/verification")
    assert account("friend") is None


def test_a_colleague_added_by_a_verified_account_is_verified(client, login, world):
    client = login(world.enterprise_user)
    response = client.post(
        "/my/colleagues", data={"username": "acme2", "name": "王二", "mobile": "13812345678", "password": PASSWORD}
    )
    assert response.status_code == 302
    colleague = account("acme2")
    assert colleague.is_verified and colleague.verification_method == VerificationMethod.COLLEAGUE
    assert colleague.verified_by_id == world.enterprise_user.id


# ---------------------------------------------------------------- one-time code to the contact on record


def _code_from_outbox() -> str:
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def test_an_applicant_for_a_known_company_verifies_by_a_code_sent_to_the_contact_on_record(client, login, world):
    staff_ticket, _created = intake_ticket(client, login, world)
    client.post("/auth/logout")
    response = register(client, world.acme.credit_code, username="acme_new", company="随便写的名字")
    assert response.status_code == 302 and response.location.endswith("/my/verification")
    applicant = account("acme_new")
    assert applicant.enterprise_id == world.acme.id and not applicant.is_verified
    assert world.acme.name == "襄阳市恒达精密制造有限公司"  # the company's record is not the applicant's to change
    client = login(applicant)
    assert staff_ticket.tracking_no not in text(client.get("/my/"))

    page = text(client.get("/my/verification"))
    assert "139****5678" in page and "13912345678" not in page and "w***@corp.example" in page
    response = client.post("/my/verification/code", data={"channel": "sms"})
    assert response.status_code == 302
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert (message.channel, message.address) == ("sms", "13912345678")
    assert message.status == "pending" and message.sent_at is None  # delivered by a job, not in the request
    code = _code_from_outbox()
    assert "acme_new" in message.body  # the contact learns who is asking
    stored = db.session.scalar(select(VerificationCode))
    assert code not in stored.code_hash

    wrong = "000000" if code != "000000" else "111111"
    response = client.post("/my/verification/code/check", data={"code": wrong})
    assert response.status_code == 400 and "4 tries left" in text(response)
    assert not account("acme_new").is_verified

    response = client.post("/my/verification/code/check", data={"code": code})
    assert response.status_code == 302
    applicant = account("acme_new")
    assert applicant.is_verified and applicant.verification_method == VerificationMethod.CODE
    assert staff_ticket.tracking_no in text(login(applicant).get("/my/"))
    assert login(applicant).get(f"/my/tickets/{staff_ticket.id}").status_code == 200


def intake_ticket(client, login, world):
    login(world.supervisor)
    intake(client, world, world.acme.credit_code)
    return db.session.scalar(select(Ticket)), True


def test_a_code_works_once_for_ten_minutes_and_dies_after_five_wrong_tries(client, login, world):
    register(client, world.acme.credit_code, username="acme_new")
    client = login(account("acme_new"))
    start = now()
    with frozen(start):
        client.post("/my/verification/code", data={"channel": "email"})
    code = _code_from_outbox()
    with frozen(start + timedelta(minutes=11)):
        response = client.post("/my/verification/code/check", data={"code": code})
        assert "expired" in text(response) and not account("acme_new").is_verified

    with frozen(start + timedelta(minutes=12)):
        client.post("/my/verification/code", data={"channel": "email"})
        code = _code_from_outbox()
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(5):
            client.post("/my/verification/code/check", data={"code": wrong})
        response = client.post("/my/verification/code/check", data={"code": code})
        assert "Too many wrong codes" in text(response) and not account("acme_new").is_verified

    with frozen(start + timedelta(minutes=14)):
        assert client.post("/my/verification/code", data={"channel": "email"}).status_code == 302
        code = _code_from_outbox()
        assert client.post("/my/verification/code/check", data={"code": code}).status_code == 302
        assert account("acme_new").is_verified
        row = db.session.scalars(select(VerificationCode).order_by(VerificationCode.id.desc())).first()
        assert row.used_at is not None


def test_codes_cannot_be_asked_for_every_second(client, login, world):
    register(client, world.acme.credit_code, username="acme_new")
    client = login(account("acme_new"))
    client.post("/my/verification/code", data={"channel": "sms"})
    response = client.post("/my/verification/code", data={"channel": "sms"}, follow_redirects=True)
    assert "less than a minute ago" in text(response)
    assert db.session.scalar(select(func.count()).select_from(VerificationCode)) == 1


def test_no_code_goes_to_a_contact_the_applicant_typed_themselves(client, login, world):
    register(client, valid_credit_code())
    client = login(account("squatter"))
    assert "no contact on record" in text(client.get("/my/verification"))
    response = client.post("/my/verification/code", data={"channel": "sms"})
    assert response.status_code in (302, 400)
    assert db.session.scalar(select(func.count()).select_from(VerificationCode)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


# ---------------------------------------------------------------- business licence


def _upload(client, content: bytes = PDF, name: str = "营业执照.pdf"):
    return client.post(
        "/my/verification/licence", data={"licence": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    )


def test_a_licence_is_checked_by_content_and_shown_only_to_supervisors_and_its_owner(client, login, world):
    register(client, valid_credit_code())
    squatter = account("squatter")
    client = login(squatter)
    response = _upload(client, b"MZ\x90\x00 not a licence", "licence.pdf")
    assert response.status_code == 400 and "is not a JPEG, PNG or PDF file" in text(response)
    docx = b"PK\x03\x04" + b"\x00" * 26 + b"[Content_Types].xml" + b"\x00" * 100
    assert _upload(client, docx, "licence.docx").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(LicenceReview)) == 0

    assert _upload(client).status_code == 302
    review = db.session.scalar(select(LicenceReview))
    assert account("squatter").verification == Verification.PENDING and review.state == "pending"
    assert "being reviewed" in text(client.get("/my/"))

    url = f"/files/licences/{review.id}"
    assert login(squatter).get(url).data == PDF
    assert login(world.supervisor).get(url).status_code == 200
    assert login(world.rival_user).get(url).status_code == 403
    assert login(world.handler).get(url).status_code == 403
    client.post("/auth/logout")
    assert client.get(url).status_code == 404


def test_a_supervisor_rejects_a_licence_with_a_reason_and_the_applicant_is_told(client, login, world):
    register(client, valid_credit_code())
    _upload(login(account("squatter")))
    review = db.session.scalar(select(LicenceReview))

    supervisor = login(world.supervisor)
    queue = text(supervisor.get("/console/verifications"))
    assert "冒名顶替有限公司" in queue and "Licences to review" in text(supervisor.get("/console/"))
    assert supervisor.get(f"/console/verifications/{review.id}").status_code == 200
    response = supervisor.post(f"/console/verifications/{review.id}/decide", data={"decision": "reject"})
    assert response.status_code == 400 and "Say why" in text(response)
    db.session.expire_all()
    assert review.state == "pending"

    response = supervisor.post(
        f"/console/verifications/{review.id}/decide",
        data={"decision": "reject", "reason": "执照上的名称与信用代码不符"},
    )
    assert response.status_code == 302
    squatter = account("squatter")
    assert review.state == "rejected" and review.decided_by_id == world.supervisor.id
    assert squatter.verification == Verification.UNVERIFIED
    told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == squatter.id)).all()
    assert {m.channel for m in told} >= {"inapp"} and all("执照上的名称与信用代码不符" in m.body for m in told)
    response = supervisor.post(f"/console/verifications/{review.id}/decide", data={"decision": "approve"})
    assert response.status_code == 400 and not account("squatter").is_verified  # decided once


def test_an_approved_licence_verifies_the_account_which_then_sees_staff_filed_complaints(client, login, world):
    code = valid_credit_code()
    register(client, code, username="real", company="襄阳真实企业有限公司")
    login(world.supervisor)
    intake(client, world, code)
    ticket = db.session.scalar(select(Ticket))
    _upload(login(account("real")))
    review = db.session.scalar(select(LicenceReview))

    response = login(world.supervisor).post(f"/console/verifications/{review.id}/decide", data={"decision": "approve"})
    assert response.status_code == 302
    real = account("real")
    assert real.is_verified and real.verification_method == VerificationMethod.LICENCE
    assert real.verified_by_id == world.supervisor.id and real.verified_at is not None
    assert (
        db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.user_id == real.id, OutboxMessage.channel == "inapp")
        )
        is not None
    )
    assert ticket.tracking_no in text(login(real).get("/my/"))


# ---------------------------------------------------------------- invitations


def _invitation_link(message: OutboxMessage) -> str:
    return re.search(r"https?://\S+/auth/activate/[\w-]+", message.body).group(0)


def _path(link: str) -> str:
    return link[link.index("/auth/activate/") :]


def test_staff_intake_for_a_new_company_invites_the_caller_and_activation_gives_a_verified_account(
    client, login, world, base_url
):
    code = valid_credit_code()
    login(world.supervisor)
    assert intake(client, world, code, new_company="襄阳来电企业有限公司").status_code == 302
    ticket = db.session.scalar(select(Ticket))
    invitation = db.session.scalar(select(Invitation))
    assert (invitation.channel, invitation.address) == ("sms", "13911112222")
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("invitation")))
    assert (message.channel, message.address, message.status) == ("sms", "13911112222", "pending")
    link = _invitation_link(message)
    assert link.startswith(f"{BASE}/auth/activate/")
    token = link.rsplit("/", 1)[1]
    assert token not in invitation.token_hash

    client.post("/auth/logout")
    page = client.get(f"/auth/activate/{token}")
    assert page.status_code == 200 and "襄阳来电企业有限公司" in text(page)
    response = client.post(
        f"/auth/activate/{token}",
        data={"name": "钱来电", "username": "caller", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 302
    caller = account("caller")
    assert caller.is_verified and caller.verification_method == VerificationMethod.INVITATION
    assert caller.enterprise.credit_code == code and caller.mobile == "13911112222"
    assert ticket.tracking_no in text(client.get("/my/"))  # logged in, follows the complaint …
    advance(world, ticket, State.AWAITING_RATING)
    db.session.commit()
    response = client.post(
        f"/my/tickets/{ticket.id}/rate", data={"rating": "4", "solved": "yes", "version": ticket.version}
    )
    assert response.status_code == 302 and ticket.state == State.CLOSED  # … and rates it

    client.post("/auth/logout")
    again = client.get(f"/auth/activate/{token}")
    assert again.status_code == 410 and "used already" in text(again)
    response = client.post(
        f"/auth/activate/{token}",
        data={"name": "又来", "username": "caller2", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 410 and account("caller2") is None


def test_an_expired_or_unknown_invitation_says_so(client, login, world):
    login(world.supervisor)
    intake(client, world, valid_credit_code(), new_company="襄阳来电企业有限公司")
    token = _invitation_link(
        db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("invitation")))
    ).rsplit("/", 1)[1]
    client.post("/auth/logout")
    with frozen(now() + invitations.INVITATION_TTL + timedelta(minutes=1)):
        response = client.get(f"/auth/activate/{token}")
    assert response.status_code == 410 and "expired" in text(response)
    response = client.get("/auth/activate/not-a-real-token")
    assert response.status_code == 410 and "not valid" in text(response)


def test_a_supervisor_resends_an_invitation_and_the_old_link_stops_working(client, login, world):
    supervisor = login(world.supervisor)
    intake(client, world, valid_credit_code(), new_company="襄阳来电企业有限公司")
    enterprise = db.session.scalar(select(Ticket)).enterprise
    first = _invitation_link(
        db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("invitation")))
    )
    assert "13911112222" in text(supervisor.get(f"/console/enterprises/{enterprise.id}"))
    response = supervisor.post(f"/console/enterprises/{enterprise.id}/invitation")
    assert response.status_code == 302
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("invitation")).order_by(OutboxMessage.id)
    ).all()
    assert len(messages) == 2 and messages[1].address == "13911112222"
    client.post("/auth/logout")
    old = client.get(_path(first))
    assert old.status_code == 410 and "replaced" in text(old)
    assert client.get(_path(_invitation_link(messages[1]))).status_code == 200


def test_no_invitation_for_a_company_with_a_verified_account(client, login, world):
    login(world.supervisor)
    intake(client, world, world.acme.credit_code)
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
    response = login(world.supervisor).post(f"/console/enterprises/{world.acme.id}/invitation", follow_redirects=True)
    assert "verified account already" in text(response)
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_a_second_complaint_does_not_send_a_second_invitation(client, login, world):
    code = valid_credit_code()
    login(world.supervisor)
    intake(client, world, code, new_company="襄阳来电企业有限公司", key="k1")
    intake(client, world, code, key="k2")
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 2
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1


def test_an_open311_filing_for_an_unknown_company_invites_by_email(client, world, base_url):
    _key, secret = keys.issue("city hotline")
    db.session.commit()
    code = valid_credit_code()
    response = client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": secret,
            "service_code": str(world.schooling.id),
            "description": "职工子女入学没有学位。",
            "attribute[credit_code]": code,
            "attribute[company_name]": "襄阳热线企业有限公司",
            "first_name": "建国",
            "last_name": "王",
            "email": "boss@newco.example",
        },
    )
    assert response.status_code == 201
    invitation = db.session.scalar(select(Invitation))
    assert invitation.enterprise.credit_code == code and invitation.created_by_id is None
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("invitation")))
    assert (message.channel, message.address) == ("email", "boss@newco.example")
    assert _invitation_link(message).startswith(f"{BASE}/auth/activate/")


def test_a_cadres_filing_for_a_company_without_an_account_invites_its_contact(client, login, world):
    from supervise.models import LiaisonPair

    newco = make_enterprise("襄阳包联企业有限公司")
    db.session.flush()
    db.session.add(LiaisonPair(cadre_id=world.cadre.id, enterprise_id=newco.id))
    db.session.commit()
    response = login(world.cadre).post(
        "/my/new",
        data={
            "submission_key": "c1",
            "enterprise_id": newco.id,
            "category_id": world.schooling.id,
            "area_id": world.area.id,
            "title": "走访发现的问题",
            "description": "企业反映招工难。",
            "contact_name": "周总",
            "contact_mobile": "13655556666",
            "publish_consent": "y",
        },
    )
    assert response.status_code == 302
    ticket = db.session.scalar(select(Ticket))
    assert ticket.source == Source.VISIT
    invitation = db.session.scalar(select(Invitation))
    assert (invitation.enterprise_id, invitation.address, invitation.created_by_id) == (
        newco.id,
        "13655556666",
        world.cadre.id,
    )


# ---------------------------------------------------------------- forms and the model


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_the_verification_and_activation_forms_carry_a_csrf_token(client, login, world, csrf_on):
    db.session.add(
        User(username="acme_new", name="新", role=Role.ENTERPRISE, enterprise_id=world.acme.id, password_hash="x")
    )
    db.session.commit()
    page = text(login(account("acme_new")).get("/my/verification"))
    assert "/my/verification/licence" in page and "/my/verification/code/check" in page
    assert page.count("<form") == page.count('name="csrf_token"') == 4  # send, check, upload, log out
    assert login(account("acme_new")).post("/my/verification/code", data={"channel": "sms"}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(VerificationCode)) == 0

    assert invitations.invite_if_new(make_enterprise("襄阳邀请企业有限公司"), mobile="13512345678")
    db.session.commit()
    link = _path(
        _invitation_link(db.session.scalar(select(OutboxMessage).where(OutboxMessage.address == "13512345678")))
    )
    client.post("/auth/logout")
    assert 'name="csrf_token"' in text(client.get(link))
    response = client.post(link, data={"name": "甲", "username": "jia", "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 400 and account("jia") is None


def test_new_accounts_are_unverified_by_default_and_companies_contacts_not_on_record(world):
    user = User(username="x", name="x", role=Role.ENTERPRISE, enterprise_id=world.acme.id, password_hash="x")
    company = Enterprise(name="y", credit_code=valid_credit_code(), contact_name="", contact_mobile="")
    db.session.add_all([user, company])
    db.session.flush()
    assert user.verification == Verification.UNVERIFIED and not user.is_verified
    assert company.contact_on_record is False
