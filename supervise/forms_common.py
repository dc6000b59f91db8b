"""Validators and fields shared by the portals' forms."""

import re

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from supervise.domain import credit_code, mail

MOBILE = re.compile(r"^1[3-9]\d{9}$")
INDUSTRIES = [
    ("制造业", _l("Manufacturing")),
    ("信息技术", _l("Information technology")),
    ("生物医药", _l("Biomedicine")),
    ("新材料", _l("New materials")),
    ("新能源", _l("New energy")),
    ("商贸流通", _l("Trade and logistics")),
    ("建筑业", _l("Construction")),
    ("现代服务业", _l("Modern services")),
    ("农业", _l("Agriculture")),
    ("其他行业", _l("Other")),
]


def valid_credit_code(form, field) -> None:
    field.data = credit_code.normalize(field.data)
    if not credit_code.is_valid(field.data):
        raise ValidationError(_l("This is not a valid unified social credit code (check the 18 characters)."))


def valid_mobile(form, field) -> None:
    field.data = (field.data or "").replace(" ", "").replace("-", "")
    if field.data and not MOBILE.match(field.data):
        raise ValidationError(_l("Enter an 11-digit mainland mobile number."))


class EmailAddress:
    """The platform's one rule for e-mail addresses (:func:`supervise.domain.mail.normalize_email`)
    on an optional field; the field keeps the normalised address, or None when left empty."""

    field_flags = {"maxlength": mail.EMAIL_MAX}

    def __call__(self, form, field) -> None:
        try:
            field.data = mail.normalize_email(field.data)
        except mail.InvalidEmail as err:
            raise ValidationError(err.message) from None


valid_email = EmailAddress()


def strong_password(form, field) -> None:
    value = field.data or ""
    if len(value) < 10 or not re.search(r"[A-Za-z]", value) or not re.search(r"\d", value):
        raise ValidationError(_l("Use at least 10 characters with both letters and digits."))
