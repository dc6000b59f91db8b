"""The enterprise portal (/my), through HTTP: filing, following, adding material, rating, colleagues."""

import io
import re
import struct
import zlib

import pytest
from sqlalchemy import func, select

from supervise.domain import workflow
from supervise.extensions import db
from supervise.models import Attachment, Role, Source, State, Ticket, User
from tests.factories import PASSWORD, advance, complaint_form, file_ticket, make_user


def png_bytes() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def ticket_count() -> int:
    return db.session.scalar(select(func.count(Ticket.id)))


# ---------------------------------------------------------------- the list


def test_an_enterprise_sees_its_own_tickets_newest_first_and_not_others(world, login):
    older = file_ticket(world, title="较早的问题")
    newer = file_ticket(world, title="较新的问题")
    file_ticket(world, enterprise=world.rival, title="别家的问题")
    db.session.commit()
    html = login(world.enterprise_user).get("/my/").get_data(as_text=True)
    assert newer.tracking_no in html and older.tracking_no in html
    assert html.index("较新的问题") < html.index("较早的问题")
    assert "别家的问题" not in html
    assert "File a complaint" in html


def test_the_list_has_an_empty_state_and_pages_by_keyset(world, login, monkeypatch):
    client = login(world.enterprise_user)
    assert "No complaints yet" in client.get("/my/").get_data(as_text=True)

    monkeypatch.setattr("supervise.enterprise.routes.PAGE_SIZE", 2)
    tickets = [file_ticket(world, title=f"问题{i}") for i in range(3)]
    db.session.commit()
    first = client.get("/my/").get_data(as_text=True)
    assert "问题2" in first and "问题1" in first and "问题0" not in first
    assert f"after={tickets[1].id}" in first
    second = client.get(f"/my/?after={tickets[1].id}").get_data(as_text=True)
    assert "问题0" in second and "问题1" not in second


def test_the_list_filters_open_and_closed(world, login):
    open_ticket = file_ticket(world, title="还在办理")
    closed = advance(world, file_ticket(world, title="已经办结"), State.CLOSED)
    db.session.commit()
    client = login(world.enterprise_user)
    html = client.get("/my/?status=open").get_data(as_text=True)
    assert open_ticket.tracking_no in html and closed.tracking_no not in html
    html = client.get("/my/?status=closed").get_data(as_text=True)
    assert closed.tracking_no in html and open_ticket.tracking_no not in html


def test_a_cadre_sees_the_tickets_of_paired_enterprises_with_their_names(world, login):
    mine = file_ticket(world, title="包联企业的问题")
    file_ticket(world, enterprise=world.rival, title="未包联企业的问题")
    db.session.commit()
    html = login(world.cadre).get("/my/").get_data(as_text=True)
    assert mine.tracking_no in html and world.acme.name in html
    assert "未包联企业的问题" not in html


@pytest.mark.parametrize("who", ["handler", "supervisor", "admin"])
def test_staff_cannot_use_the_enterprise_portal(world, login, who):
    client = login(getattr(world, who))
    assert client.get("/my/").status_code == 403
    assert client.get("/my/new").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get("/my/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# ---------------------------------------------------------------- filing


def test_the_form_offers_active_concrete_categories_grouped_by_area(world, login):
    world.misc.active = False
    db.session.commit()
    html = login(world.enterprise_user).get("/my/new").get_data(as_text=True)
    select_ = re.search(r'<select[^>]*name="category_id".*?</select>', html, re.S).group(0)
    assert f'<optgroup label="{world.public_services.name}">' in select_
    assert f'value="{world.schooling.id}"' in select_ and f'value="{world.hiring.id}"' in select_
    assert f'value="{world.misc.id}"' not in select_ and f'value="{world.public_services.id}"' not in select_
    assert 'name="submission_key"' in html and re.search(r'name="submission_key"[^>]*value="\w{32}"', html)
    assert 'value="13912345678"' in html  # contact prefilled from the company
    assert f'data-category="{world.schooling.id}"' in html and "孩子年龄" in html
    assert "your company&#39;s name never appears" in html or "your company's name never appears" in html


def test_filing_creates_a_ticket_with_a_submit_event_tracking_number_and_retrieval_code(world, login):
    client = login(world.enterprise_user)
    data = complaint_form(world, **{f"answer-{world.schooling.id}-0": "7岁", f"answer-{world.hiring.id}-0": "x"})
    response = client.post("/my/new", data=data)
    assert response.status_code == 302
    ticket = db.session.scalar(select(Ticket))
    assert response.headers["Location"].endswith(f"/my/tickets/{ticket.id}")
    assert ticket.state == State.SUBMITTED and ticket.source == Source.ONLINE
    assert ticket.enterprise == world.acme and ticket.filed_by == world.enterprise_user
    assert ticket.tracking_no and len(ticket.retrieval_code) == 6
    assert [e.action for e in ticket.events] == ["submit"]
    assert ticket.answers == {"孩子年龄": "7岁"}  # answers for other categories are dropped
    assert ticket.area == world.area and ticket.publish_consent is True

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Tracking number: {ticket.tracking_no}. Retrieval code: {ticket.retrieval_code}." in page


def test_filing_stores_the_attachments_with_the_submit_event(world, login):
    client = login(world.enterprise_user)
    data = complaint_form(world, files=[(io.BytesIO(png_bytes()), "照片.png"), (io.BytesIO(PDF), "证明.pdf")])
    assert client.post("/my/new", data=data, content_type="multipart/form-data").status_code == 302
    ticket = db.session.scalar(select(Ticket))
    assert [(a.filename, a.content_type) for a in ticket.attachments] == [
        ("照片.png", "image/png"),
        ("证明.pdf", "application/pdf"),
    ]
    assert all(a.event == ticket.events[0] for a in ticket.attachments)


def test_unchecking_consent_files_a_complaint_that_may_not_be_published(world, login):
    data = complaint_form(world)
    del data["publish_consent"]
    login(world.enterprise_user).post("/my/new", data=data)
    assert db.session.scalar(select(Ticket)).publish_consent is False


def test_a_double_submit_with_the_same_key_files_one_ticket(world, login):
    client = login(world.enterprise_user)
    first = client.post("/my/new", data=complaint_form(world, key="same"))
    second = client.post("/my/new", data=complaint_form(world, key="same"))
    assert ticket_count() == 1
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]


@pytest.mark.parametrize(
    "bad",
    [
        {"title": ""},
        {"description": "   "},
        {"title": "长" * 121},
        {"category_id": ""},
        {"category_id": "999999"},
        {"contact_mobile": "12345"},
    ],
)
def test_bad_input_shows_an_error_and_creates_nothing(world, login, bad):
    response = login(world.enterprise_user).post("/my/new", data=complaint_form(world, **bad))
    assert response.status_code == 200
    assert 'class="field-error"' in response.get_data(as_text=True)
    assert ticket_count() == 0


def test_a_top_level_area_or_an_inactive_category_is_refused(world, login):
    world.misc.active = False
    db.session.commit()
    client = login(world.enterprise_user)
    for category in (world.public_services, world.misc):
        response = client.post("/my/new", data=complaint_form(world, category_id=str(category.id)))
        assert "Choose a category from the list." in response.get_data(as_text=True)
    assert ticket_count() == 0


def _post_files(client, world, files):
    data = complaint_form(world, files=files)
    return client.post("/my/new", data=data, content_type="multipart/form-data")


def test_a_fake_pdf_is_refused_and_nothing_is_created(world, login):
    response = _post_files(login(world.enterprise_user), world, [(io.BytesIO(b"just some text"), "invoice.pdf")])
    assert response.status_code == 200
    assert "invoice.pdf is not a JPEG, PNG, PDF, Word or Excel file." in response.get_data(as_text=True)
    assert ticket_count() == 0 and db.session.scalar(select(func.count(Attachment.id))) == 0


def test_a_sixth_file_is_refused_and_nothing_is_created(world, login):
    files = [(io.BytesIO(png_bytes()), f"p{i}.png") for i in range(6)]
    response = _post_files(login(world.enterprise_user), world, files)
    assert "At most 5 files may be attached." in response.get_data(as_text=True)
    assert ticket_count() == 0


def test_a_too_large_file_is_refused_and_nothing_is_created(world, login, app):
    old = app.config["MAX_ATTACHMENT_BYTES"]
    app.config["MAX_ATTACHMENT_BYTES"] = 100
    try:
        response = _post_files(login(world.enterprise_user), world, [(io.BytesIO(PDF + b"0" * 200), "big.pdf")])
    finally:
        app.config["MAX_ATTACHMENT_BYTES"] = old
    assert "big.pdf is larger than" in response.get_data(as_text=True)
    assert ticket_count() == 0


def test_a_cadre_files_for_a_paired_enterprise_as_a_visit(world, login):
    client = login(world.cadre)
    html = client.get("/my/new").get_data(as_text=True)
    assert world.acme.name in html and world.rival.name not in html
    response = client.post(
        "/my/new",
        data=complaint_form(
            world, enterprise_id=str(world.acme.id), contact_name="", contact_mobile="", contact_email=""
        ),
    )
    assert response.status_code == 302
    ticket = db.session.scalar(select(Ticket))
    assert ticket.enterprise == world.acme and ticket.source == Source.VISIT and ticket.filed_by == world.cadre
    assert ticket.contact_mobile == world.acme.contact_mobile  # empty contact: the company's


def test_a_cadre_cannot_file_for_an_unpaired_enterprise(world, login):
    client = login(world.cadre)
    for enterprise_id in (str(world.rival.id), ""):
        response = client.post("/my/new", data=complaint_form(world, enterprise_id=enterprise_id))
        assert "Choose one of the enterprises paired with you." in response.get_data(as_text=True)
    assert ticket_count() == 0


def test_an_enterprise_user_always_files_for_their_own_company(world, login):
    login(world.enterprise_user).post("/my/new", data=complaint_form(world, enterprise_id=str(world.rival.id)))
    assert db.session.scalar(select(Ticket)).enterprise == world.acme


def test_a_cadre_without_pairs_is_told_so(world, login):
    lonely = make_user(Role.CADRE, "lonely")
    db.session.commit()
    assert "No enterprise is paired with you" in login(lonely).get("/my/new").get_data(as_text=True)


# ---------------------------------------------------------------- one ticket


def test_an_enterprise_cannot_see_another_companys_ticket_or_a_missing_one(world, login):
    theirs = file_ticket(world, enterprise=world.rival)
    db.session.commit()
    client = login(world.enterprise_user)
    assert client.get(f"/my/tickets/{theirs.id}").status_code == 403
    assert client.get("/my/tickets/999999").status_code == 404


def test_a_cadre_sees_a_paired_enterprises_ticket_but_not_an_unpaired_one(world, login):
    mine, theirs = file_ticket(world), file_ticket(world, enterprise=world.rival)
    db.session.commit()
    client = login(world.cadre)
    assert client.get(f"/my/tickets/{mine.id}").status_code == 200
    assert client.get(f"/my/tickets/{theirs.id}").status_code == 403


def test_the_ticket_page_hides_internal_steps_from_the_enterprise(world, login):
    ticket = advance(world, file_ticket(world), State.IN_PROGRESS)
    workflow.perform(ticket, "note", world.handler, note="内部：校长不同意")
    workflow.perform(ticket, "note", world.handler, note="已联系学校", public=True)
    db.session.commit()
    html = login(world.enterprise_user).get(f"/my/tickets/{ticket.id}").get_data(as_text=True)
    assert "已联系学校" in html and "内部：校长不同意" not in html
    assert ticket.retrieval_code in html


def test_a_reply_under_review_is_not_shown_until_the_supervisor_sends_it(world, login):
    ticket = advance(world, file_ticket(world), State.REPLIED)
    db.session.commit()
    client = login(world.enterprise_user)
    assert "已协调学位" not in client.get(f"/my/tickets/{ticket.id}").get_data(as_text=True)
    workflow.perform(ticket, "approve_reply", world.supervisor)
    db.session.commit()
    assert "已协调学位" in client.get(f"/my/tickets/{ticket.id}").get_data(as_text=True)


def test_providing_material_resumes_the_ticket(world, login):
    ticket = advance(world, file_ticket(world), State.IN_PROGRESS)
    workflow.perform(ticket, "request_material", world.handler, note="请补充职工劳动合同")
    db.session.commit()
    client = login(world.enterprise_user)
    html = client.get(f"/my/tickets/{ticket.id}").get_data(as_text=True)
    assert "请补充职工劳动合同" in html and f"/my/tickets/{ticket.id}/material" in html

    response = client.post(
        f"/my/tickets/{ticket.id}/material",
        content_type="multipart/form-data",
        data={"note": "已上传劳动合同", "version": str(ticket.version), "files": [(io.BytesIO(PDF), "合同.pdf")]},
    )
    assert response.status_code == 302
    db.session.refresh(ticket)
    assert ticket.state == State.IN_PROGRESS and ticket.paused_at is None
    assert ticket.events[-1].action == "provide_material"
    assert [a.filename for a in ticket.attachments] == ["合同.pdf"]
    assert ticket.attachments[0].event == ticket.events[-1]


def test_material_without_a_note_or_with_a_bad_file_changes_nothing(world, login):
    ticket = advance(world, file_ticket(world), State.IN_PROGRESS)
    workflow.perform(ticket, "request_material", world.handler, note="请补充材料")
    db.session.commit()
    client = login(world.enterprise_user)
    response = client.post(f"/my/tickets/{ticket.id}/material", data={"note": ""})
    assert response.status_code == 200 and 'class="field-error"' in response.get_data(as_text=True)
    response = client.post(
        f"/my/tickets/{ticket.id}/material",
        content_type="multipart/form-data",
        data={"note": "附件", "files": [(io.BytesIO(b"MZ fake"), "a.pdf")]},
    )
    assert "a.pdf is not a JPEG" in response.get_data(as_text=True)
    db.session.refresh(ticket)
    assert ticket.state == State.AWAITING_MATERIAL and not ticket.attachments


def test_material_cannot_be_added_when_none_was_asked_for(world, login):
    ticket = advance(world, file_ticket(world), State.IN_PROGRESS)
    db.session.commit()
    client = login(world.enterprise_user)
    assert "/material" not in client.get(f"/my/tickets/{ticket.id}").get_data(as_text=True)
    client.post(f"/my/tickets/{ticket.id}/material", data={"note": "多余"})
    db.session.refresh(ticket)
    assert ticket.events[-1].action == "sign"


def test_another_enterprise_cannot_act_on_a_ticket(world, login):
    ticket = advance(world, file_ticket(world), State.AWAITING_RATING)
    db.session.commit()
    response = login(world.rival_user).post(f"/my/tickets/{ticket.id}/rate", data={"rating": "1", "solved": "no"})
    assert response.status_code == 403
    db.session.refresh(ticket)
    assert ticket.state == State.AWAITING_RATING


def test_a_good_rating_closes_the_ticket(world, login):
    ticket = advance(world, file_ticket(world), State.AWAITING_RATING)
    db.session.commit()
    client = login(world.enterprise_user)
    html = client.get(f"/my/tickets/{ticket.id}").get_data(as_text=True)
    assert "已协调学位" in html and "Very satisfied" in html and "Resolved" in html
    response = client.post(
        f"/my/tickets/{ticket.id}/rate",
        data={"rating": "4", "solved": "yes", "comment": "谢谢", "version": str(ticket.version)},
    )
    assert response.status_code == 302
    db.session.refresh(ticket)
    assert ticket.state == State.CLOSED and ticket.rating.value == 4 and ticket.rating_solved is True
    assert ticket.rating_comment == "谢谢"


def test_a_bad_rating_goes_to_rating_review(world, login):
    ticket = advance(world, file_ticket(world), State.AWAITING_RATING)
    db.session.commit()
    login(world.cadre).post(
        f"/my/tickets/{ticket.id}/rate", data={"rating": "2", "solved": "no", "comment": "学位仍未落实"}
    )
    db.session.refresh(ticket)
    assert ticket.state == State.RATING_REVIEW and ticket.rating_solved is False


def test_a_rating_needs_a_rating_and_an_answer_on_solved(world, login):
    ticket = advance(world, file_ticket(world), State.AWAITING_RATING)
    db.session.commit()
    client = login(world.enterprise_user)
    html = client.post(f"/my/tickets/{ticket.id}/rate", data={"solved": "yes"}).get_data(as_text=True)
    assert "Choose a rating." in html
    html = client.post(f"/my/tickets/{ticket.id}/rate", data={"rating": "9", "solved": "yes"}).get_data(as_text=True)
    assert 'class="field-error"' in html
    db.session.refresh(ticket)
    assert ticket.state == State.AWAITING_RATING


def test_a_rating_on_an_outdated_page_is_refused(world, login):
    ticket = advance(world, file_ticket(world), State.AWAITING_RATING)
    db.session.commit()
    stale = ticket.version - 1
    login(world.enterprise_user).post(
        f"/my/tickets/{ticket.id}/rate", data={"rating": "5", "solved": "yes", "version": str(stale)}
    )
    db.session.refresh(ticket)
    assert ticket.state == State.AWAITING_RATING


# ---------------------------------------------------------------- colleagues


def test_an_enterprise_user_adds_a_colleague_who_can_then_log_in(world, login, client):
    response = login(world.enterprise_user).post(
        "/my/colleagues",
        data={"name": "张会计", "username": "acme_zhang", "mobile": "13700000001", "password": "Colleague-pass-1"},
    )
    assert response.status_code == 302
    colleague = User.by_username("acme_zhang")
    assert colleague.role == Role.ENTERPRISE and colleague.enterprise == world.acme
    assert colleague.check_password("Colleague-pass-1")
    html = client.get("/my/colleagues").get_data(as_text=True)
    assert "张会计" in html and world.enterprise_user.name in html and world.rival_user.name not in html


def test_a_colleague_needs_a_free_username_and_a_strong_password(world, login):
    client = login(world.enterprise_user)
    html = client.post(
        "/my/colleagues", data={"name": "甲", "username": "rival", "mobile": "13700000001", "password": PASSWORD}
    ).get_data(as_text=True)
    assert "This username is taken." in html
    html = client.post(
        "/my/colleagues", data={"name": "乙", "username": "acme_b", "mobile": "13700000001", "password": "short"}
    ).get_data(as_text=True)
    assert "at least 10 characters" in html
    assert User.by_username("acme_b") is None


def test_cadres_cannot_manage_colleagues(world, login):
    assert login(world.cadre).get("/my/colleagues").status_code == 403


def test_a_new_colleague_sees_the_companys_tickets(world, login):
    ticket = file_ticket(world)
    colleague = make_user(Role.ENTERPRISE, "acme2", enterprise=world.acme)
    db.session.commit()
    assert ticket.tracking_no in login(colleague).get("/my/").get_data(as_text=True)
