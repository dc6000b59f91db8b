"""Forms of the liaison pledges in the portal: the cadre's card, a visit, the enterprise's yearly rating."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from supervise.domain.pledges import COMMENT_MAX, PLEDGE_MAX, SUMMARY_MAX
from supervise.enterprise.forms import _int_or_none
from supervise.models import VisitWay

PHONE = r"^[0-9+\- ]{7,20}$"
WAY_LABELS = {VisitWay.ON_SITE: _l("On site"), VisitWay.PHONE: _l("By phone"), VisitWay.ONLINE: _l("Online meeting")}
WAYS = [SelectChoice(way.value, label) for way, label in WAY_LABELS.items()]
SCORE_CHOICES = [
    SelectChoice("5", _l("5 — excellent")),
    SelectChoice("4", _l("4 — good")),
    SelectChoice("3", _l("3 — fair")),
    SelectChoice("2", _l("2 — poor")),
    SelectChoice("1", _l("1 — very poor")),
]


class CardForm(FlaskForm):
    """The cadre's own card: who they are (亮身份) and what they promise (亮承诺)."""

    unit_id = SelectField(_l("Unit"), coerce=_int_or_none, validate_choice=False)
    title = StringField(_l("Position"), validators=[Optional(), Length(max=60)], description=_l("e.g. deputy director"))
    phone = StringField(
        _l("Phone for your enterprises"),
        validators=[
            Optional(),
            Regexp(r"^[0-9+\- ]{7,20}$", message=_l("Enter a phone number: digits, with spaces or hyphens.")),
        ],
        description=_l("Shown to the enterprises paired with you, never to the public."),
    )
    pledge = TextAreaField(
        _l("My pledge"),
        validators=[DataRequired(), Length(max=PLEDGE_MAX)],
        description=_l("What you promise the enterprises you serve. Published once the office approves the card."),
    )


class VisitForm(FlaskForm):
    """A visit to a paired enterprise."""

    visited_on = DateField(_l("Date of the visit"), validators=[InputRequired()])
    way = RadioField(_l("Way"), choices=WAYS, default=VisitWay.ON_SITE.value, validators=[InputRequired()])
    summary = TextAreaField(
        _l("Visit summary"),
        validators=[DataRequired(), Length(max=SUMMARY_MAX)],
        description=_l("What was discussed and the problems found."),
    )
    tracking_no = StringField(
        _l("Complaint filed for a problem found"),
        validators=[Optional(), Length(max=30)],
        description=_l("Optional: the tracking number of the complaint you filed for it."),
    )


class ServiceRatingForm(FlaskForm):
    """The enterprise's yearly rating of its cadre's service."""

    score = RadioField(_l("Score"), choices=SCORE_CHOICES, validators=[InputRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=COMMENT_MAX)])
