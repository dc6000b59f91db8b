"""The operations layer (supervise.operations): writes outside the state machine.

Each operation takes the acting user, changes the session and does not commit; a refused write
raises an OperationError (or IntakeError) naming what is wrong. Read top to bottom, this is their
specification.
"""

import io

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from supervise import storage
from supervise.domain import intake
from supervise.domain.verification import VerificationError
from supervise.extensions import db
from supervise.models import (
    Enterprise,
    Invitation,
    Role,
    Ticket,
    Unit,
    UnitKind,
    User,
    Verification,
    VerificationMethod,
)
from supervise.open311 import keys
from supervise.operations import OperationError, enterprises, filing, units, users
from tests.factories import PASSWORD, make_user, valid_credit_code

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def complaint(world, enterprise=None, **fields) -> intake.Complaint:
    return intake.Complaint(
        enterprise=enterprise or world.acme,
        category=fields.pop("category", world.schooling),
        title=fields.pop("title", "职工子女入学难"),
        description=fields.pop("description", "我公司职工子女今年秋季入学没有学位。"),
        **fields,
    )


# ---------------------------------------------------------------- users


def test_create_user_adds_an_account_with_a_hashed_password_and_does_not_commit(world):
    user = users.create_user(
        world.admin,
        username="  zhang  ",
        name=" 张三 ",
        role=Role.SUPERVISOR,
        password=PASSWORD,
        unit=world.office,
        email=" z@example.com ",
    )
    assert user in db.session and (user.username, user.name, user.email) == ("zhang", "张三", "z@example.com")
    assert user.check_password(PASSWORD) and user.password_hash != PASSWORD
    db.session.rollback()
    assert User.by_username("zhang") is None


def test_create_user_refuses_a_taken_username_on_the_username_field(world):
    with pytest.raises(users.UsernameTaken) as refused:
        users.create_user(world.admin, username="admin ", name="又一个", role=Role.ADMIN, password=PASSWORD)
    assert refused.value.field == "username"


def test_create_user_takes_a_precomputed_hash_and_creation_time(world):
    hashed = make_user(Role.ADMIN, "hash_source").password_hash
    user = users.create_user(
        None, username="seeded", name="种子", role=Role.CADRE, password_hash=hashed, created_at=world.acme.created_at
    )
    assert user.password_hash == hashed and user.check_password(PASSWORD)
    assert user.created_at == world.acme.created_at


def test_create_staff_puts_handlers_and_leaders_in_a_unit(world):
    with pytest.raises(OperationError) as refused:
        users.create_staff(world.admin, username="h2", name="承办", role=Role.HANDLER, password=PASSWORD)
    assert refused.value.field == "unit"
    handler = users.create_staff(
        world.admin, username="h2", name="承办", role=Role.HANDLER, password=PASSWORD, unit_id=world.edu.id
    )
    db.session.flush()
    assert handler.unit == world.edu


def test_a_verified_user_adds_a_colleague_who_is_verified_by_their_word(world):
    colleague = users.add_colleague(
        world.enterprise_user, username="acme2", name="王二", mobile="13900000001", password=PASSWORD
    )
    assert colleague.enterprise_id == world.acme.id and colleague.role == Role.ENTERPRISE
    assert colleague.verification == Verification.VERIFIED
    assert colleague.verification_method == VerificationMethod.COLLEAGUE
    assert colleague.verified_by_id == world.enterprise_user.id


def test_an_unverified_user_cannot_add_a_colleague(world):
    unverified = make_user(Role.ENTERPRISE, "newcomer", enterprise=world.acme, verified=False)
    with pytest.raises(VerificationError):
        users.add_colleague(unverified, username="acme3", name="王三", mobile="13900000002", password=PASSWORD)


# ---------------------------------------------------------------- enterprises


def test_register_enterprise_returns_the_known_company_whatever_the_details_given(world):
    found = enterprises.register_enterprise(
        world.supervisor, enterprises.NewCompany(world.acme.credit_code.lower(), "别的名字")
    )
    assert found is world.acme and found.name == "襄阳市恒达精密制造有限公司"


def test_register_enterprise_registers_a_new_company_with_its_contact_on_record(world):
    code = valid_credit_code()
    new = enterprises.register_enterprise(
        world.supervisor,
        enterprises.NewCompany(
            code, "  襄阳新公司  ", industry="制造业", contact_name=" 李四 ", contact_mobile="13911112222"
        ),
    )
    assert new in db.session and (new.name, new.credit_code, new.contact_name) == ("襄阳新公司", code, "李四")
    assert new.contact_on_record and new.email is None


@pytest.mark.parametrize("code, name", [("91420600ABC", "名字"), (None, "  ")])
def test_register_enterprise_refuses_an_invalid_code_or_a_new_company_without_a_name(world, code, name):
    with pytest.raises(intake.IntakeError):
        enterprises.register_enterprise(world.supervisor, enterprises.NewCompany(code or valid_credit_code(), name))
    assert count(Enterprise) == 2


def test_staff_intake_finds_a_company_by_code_or_by_a_name_only_it_has(world):
    assert enterprises.enterprise_for_intake(world.supervisor, world.rival.credit_code, None) is world.rival
    assert enterprises.enterprise_for_intake(world.supervisor, world.rival.name, None) is world.rival
    enterprises.register_enterprise(world.supervisor, enterprises.NewCompany(valid_credit_code(), world.rival.name))
    with pytest.raises(intake.IntakeError):
        enterprises.enterprise_for_intake(world.supervisor, world.rival.name, None)


def test_staff_intake_registers_an_unknown_company_only_when_given_its_name(world):
    code = valid_credit_code()
    with pytest.raises(intake.IntakeError):
        enterprises.enterprise_for_intake(world.supervisor, code, None)
    new = enterprises.enterprise_for_intake(world.supervisor, code, enterprises.NewCompany(code, "来电企业"))
    assert new.credit_code == code and new.contact_on_record


def test_an_applicant_registers_an_unknown_company_whose_contact_is_then_not_on_record(world):
    code = valid_credit_code()
    user = enterprises.register_applicant(
        code=code,
        company="自注册公司",
        industry="制造业",
        area_id=None,
        address=None,
        contact_name="赵六",
        mobile="13933334444",
        email=None,
        username="applicant",
        password=PASSWORD,
    )
    assert user.verification == Verification.UNVERIFIED and user.enterprise.credit_code == code
    assert not user.enterprise.contact_on_record


def test_an_applicant_for_a_known_company_leaves_its_details_alone(world):
    user = enterprises.register_applicant(
        code=world.acme.credit_code,
        company="改名",
        industry="",
        area_id=None,
        address=None,
        contact_name="赵六",
        mobile="13933334444",
        email=None,
        username="applicant",
        password=PASSWORD,
    )
    assert user.enterprise is world.acme and world.acme.name == "襄阳市恒达精密制造有限公司"
    with pytest.raises(users.UsernameTaken):
        enterprises.register_applicant(
            code=world.acme.credit_code,
            company="",
            industry="",
            area_id=None,
            address=None,
            contact_name="赵七",
            mobile="13933335555",
            email=None,
            username="applicant",
            password=PASSWORD,
        )


def test_aliases_are_one_a_line_trimmed_without_blanks_or_repeats(world):
    enterprises.set_aliases(world.supervisor, world.acme, " 恒达 \n\n恒达精密\n恒达\n" + "长" * 120)
    assert world.acme.aliases == "恒达\n恒达精密\n" + "长" * enterprises.ALIAS_MAX


# ---------------------------------------------------------------- filing


def test_filing_creates_a_submitted_ticket_and_does_not_commit(world):
    ticket, created = filing.file_complaint(intake.WEB, world.enterprise_user, complaint(world))
    assert created and ticket.filed_by == world.enterprise_user and ticket.tracking_no
    assert [e.action for e in ticket.events] == ["submit"]
    db.session.rollback()
    assert count(Ticket) == 0


def test_the_same_key_from_the_same_filer_on_the_same_channel_files_once(world):
    first, created = filing.file_complaint(intake.WEB, world.enterprise_user, complaint(world), "k1")
    again, created_again = filing.file_complaint(intake.WEB, world.enterprise_user, complaint(world), "k1")
    assert created and not created_again and again is first
    assert first.submission_key == intake.ClientKey(intake.WEB, f"user:{world.enterprise_user.id}", "k1").stored()


def test_a_key_is_the_filers_own_on_one_channel(world):
    mine, _ = filing.file_complaint(intake.WEB, world.enterprise_user, complaint(world), "k1")
    console, created_console = filing.file_complaint(intake.CONSOLE, world.enterprise_user, complaint(world), "k1")
    theirs, created_theirs = filing.file_complaint(intake.WEB, world.rival_user, complaint(world, world.rival), "k1")
    assert created_console and created_theirs and len({mine.id, console.id, theirs.id}) == 3


def test_an_open311_client_files_by_its_api_key_and_the_ticket_has_no_filer(world):
    key, _secret = keys.issue("市热线")
    db.session.flush()
    ticket, created = filing.file_complaint(intake.OPEN311, key, complaint(world), "req-1")
    again, created_again = filing.file_complaint(intake.OPEN311, key, complaint(world), "req-1")
    assert created and not created_again and again is ticket and ticket.filed_by is None
    assert ticket.submission_key == intake.ClientKey(intake.OPEN311, f"api-key:{key.id}", "req-1").stored()


def test_uploads_become_attachments_of_the_submission(world):
    upload = storage.check_upload(FileStorage(io.BytesIO(PDF), filename="合同.pdf"))
    ticket, _ = filing.file_complaint(intake.WEB, world.enterprise_user, complaint(world), "k1", uploads=[upload])
    db.session.flush()
    assert [a.event for a in ticket.attachments] == [ticket.events[0]]
    assert ticket.attachments[0].uploaded_by_id == world.enterprise_user.id


def test_invite_asks_a_company_without_a_verified_account_to_activate_one(world):
    newcomer = enterprises.register_enterprise(world.supervisor, enterprises.NewCompany(valid_credit_code(), "新企业"))
    filing.file_complaint(
        intake.CONSOLE, world.supervisor, complaint(world, newcomer, contact_mobile="13955556666"), invite=True
    )
    invitation = db.session.scalar(select(Invitation).where(Invitation.enterprise_id == newcomer.id))
    assert (invitation.channel, invitation.address, invitation.created_by_id) == (
        "sms",
        "13955556666",
        world.supervisor.id,
    )


def test_no_invitation_without_invite_nor_for_a_company_with_a_verified_account(world):
    newcomer = enterprises.register_enterprise(world.supervisor, enterprises.NewCompany(valid_credit_code(), "新企业"))
    filing.file_complaint(intake.CONSOLE, world.supervisor, complaint(world, newcomer, contact_mobile="13955556666"))
    filing.file_complaint(intake.CONSOLE, world.supervisor, complaint(world, contact_mobile="13955556666"), invite=True)
    assert count(Invitation) == 0


def test_a_retry_stores_no_second_attachment_and_sends_no_invitation(world):
    newcomer = enterprises.register_enterprise(world.supervisor, enterprises.NewCompany(valid_credit_code(), "新企业"))
    filing.file_complaint(intake.CONSOLE, world.supervisor, complaint(world, newcomer), "k1")
    upload = storage.check_upload(FileStorage(io.BytesIO(PDF), filename="合同.pdf"))
    ticket, created = filing.file_complaint(
        intake.CONSOLE,
        world.supervisor,
        complaint(world, newcomer, contact_mobile="13955556666"),
        "k1",
        uploads=[upload],
        invite=True,
    )
    assert not created and ticket.attachments == [] and count(Invitation) == 0


def test_filing_refuses_an_area_instead_of_a_category(world):
    with pytest.raises(intake.IntakeError):
        filing.file_complaint(intake.WEB, world.enterprise_user, complaint(world, category=world.public_services))


# ---------------------------------------------------------------- units


def test_save_unit_adds_a_new_unit(world):
    unit = Unit()
    renamed = units.save_unit(
        world.admin, unit, units.UnitDetails(name=" 区科技局 ", kind=UnitKind.DEPARTMENT, short_name=" ", sort=3)
    )
    assert not renamed and unit in db.session and (unit.name, unit.short_name, unit.sort) == ("区科技局", None, 3)


def test_save_unit_tells_a_rename_so_that_the_caller_reindexes(world):
    same = units.UnitDetails(name=world.edu.name, kind=UnitKind.DEPARTMENT)
    assert units.save_unit(world.admin, world.edu, same) is False
    assert (
        units.save_unit(world.admin, world.edu, units.UnitDetails(name="区教育和体育局", kind=UnitKind.DEPARTMENT))
        is True
    )


def test_save_unit_refuses_a_name_another_unit_has(world):
    with pytest.raises(OperationError) as refused:
        units.save_unit(world.admin, world.edu, units.UnitDetails(name=world.hr.name, kind=UnitKind.DEPARTMENT))
    assert refused.value.field == "name" and world.edu.name == "区教育局"
