"""Credit codes (GB 32100-2015) and the masking of identifiers in public text."""

import pytest

from supervise.domain import credit_code
from supervise.domain.redaction import redact
from supervise.extensions import db
from supervise.models import State
from tests.factories import advance, file_ticket


# The standard's own example and two published company codes.
@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110108551385082Q", "91440300708461136T"])
def test_published_codes_validate(code):
    assert credit_code.is_valid(code)


def test_a_changed_check_character_fails_and_case_is_ignored():
    first17 = "91420600MA4F2XYW3"
    good = first17 + credit_code.check_character(first17)
    assert credit_code.is_valid(good)
    assert credit_code.is_valid(good.lower())
    wrong = first17 + ("0" if good[-1] != "0" else "1")
    assert not credit_code.is_valid(wrong)


@pytest.mark.parametrize("bad", ["", "123", "91350100M000100Y4", "91350100M000100Z43", "9135010OM000100Y43"])
def test_malformed_codes_fail(bad):
    assert not credit_code.is_valid(bad)


@pytest.mark.parametrize(
    "text, secret",
    [
        ("联系电话13912345678", "13912345678"),
        ("手机 139-1234-5678 找我", "139-1234-5678"),
        ("座机0710-3456789转8", "0710-3456789"),
        ("邮箱 wang.jg@hengda-corp.com.cn", "wang.jg@hengda-corp.com.cn"),
        ("身份证420602198805061234", "420602198805061234"),
        ("身份证42060219880506123X", "42060219880506123X"),
        ("信用代码91350100M000100Y43", "91350100M000100Y43"),
        ("信用代码 91350100m000100y43", "91350100m000100y43"),
    ],
)
def test_identifiers_are_masked(text, secret):
    assert secret not in redact(text)


def test_terms_are_masked_longest_first():
    text = "襄阳市恒达精密制造有限公司（恒达精密）反映"
    out = redact(text, ["恒达精密", "襄阳市恒达精密制造有限公司"])
    assert "恒达" not in out


def test_ordinary_numbers_stay():
    assert redact("12名职工子女，2026年9月入学") == "12名职工子女，2026年9月入学"


def test_a_form_with_a_nul_byte_is_refused_with_a_message_and_changes_nothing(world, client, login):
    ticket = advance(world, file_ticket(world), State.IN_PROGRESS)
    db.session.commit()
    events = len(ticket.events)
    response = login(world.handler).post(
        f"/unit/tickets/{ticket.id}/note", data={"note": "进展\x00", "version": ticket.version}
    )
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)
    db.session.refresh(ticket)
    assert len(ticket.events) == events
