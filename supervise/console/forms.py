"""Forms of the supervisor console: one small form per action panel, the list filters and staff intake.

Action forms are made from the transitions' declarations (``supervise.action_forms``): they check the
shape of what was typed (a known choice, a date, a number in range); whether the action may happen and
what it requires is the state machine's to say.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    MultipleFileField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from supervise import labels
from supervise.action_forms import NO_CHOICE, ActionForm, forms_for
from supervise.forms_common import INDUSTRIES, valid_email, valid_mobile
from supervise.models import Source


def options(pairs) -> list[SelectChoice]:
    """``SelectChoice`` options from (value, label) pairs or a dict."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, label) for value, label in items]


#: The actions the console offers (a supervisor's), each with its form made from the transition's
#: declaration; the form's prefix is the action's name. Required values are the state machine's to check.
ACTION_FORMS: dict[str, type[ActionForm]] = forms_for({"supervisor"}, check_required=False)


class FilterForm(FlaskForm):
    """Filters of the "all tickets" list (GET, no CSRF)."""

    class Meta:
        csrf = False

    # No Optional(): it would clear the choice check for a blank-looking value such as " " ("" is offered).
    state = SelectField(_l("State"), default="")
    unit = SelectField(_l("Lead unit"), default="")
    category = SelectField(_l("Category"), default="")
    source = SelectField(_l("Source"), default="")
    q = StringField(_l("Tracking number or title"), validators=[Optional(), Length(max=100)])


#: Channels staff register complaints from (online and the API file themselves).
STAFF_SOURCES = [s for s in Source if s not in (Source.ONLINE, Source.API)]


class AliasesForm(FlaskForm):
    aliases = TextAreaField(
        _l("Other names and aliases"),
        validators=[Length(max=2000)],
        description=_l(
            "One per line: short names, brand names, former names. They are masked "
            "in every public text of this company's tickets, like its full name."
        ),
    )


class IntakeForm(FlaskForm):
    """A complaint that came by phone, at the hall, from a visit, a campaign, the province or the media."""

    submission_key = HiddenField()
    enterprise = StringField(
        _l("Enterprise"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("Type the company's name or its unified social credit code."),
    )
    new_company = StringField(
        _l("Name of a company not yet registered"),
        validators=[Optional(), Length(max=120)],
        description=_l(
            "Only when the company is not on the platform: type its credit code "
            "above and its name here, and it is registered with the complaint."
        ),
    )
    new_company_industry = SelectField(_l("Its industry"), choices=options(INDUSTRIES), validators=[Optional()])
    source = SelectField(
        _l("Channel"), choices=options((s.value, labels.SOURCE[s]) for s in STAFF_SOURCES), default=Source.HOTLINE.value
    )
    category_id = SelectField(_l("Category"), coerce=int, validators=[DataRequired()])
    area_id = SelectField(_l("Street / area"), coerce=int, validators=[Optional()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[DataRequired(), Length(max=5000)])
    contact_name = StringField(
        _l("Contact person"),
        validators=[Optional(), Length(max=40)],
        description=_l("Leave empty to use the company's registered contact."),
    )
    contact_mobile = StringField(_l("Mobile"), validators=[Optional(), valid_mobile])
    contact_email = EmailField(_l("E-mail"), validators=[valid_email])
    publish_consent = BooleanField(_l("The enterprise agrees that the case may be published, anonymised"), default=True)
    files = MultipleFileField(
        _l("Attachments"), description=_l("Up to 5 files: JPEG, PNG, PDF, Word or Excel, 10 MB each.")
    )


class LicenceDecisionForm(FlaskForm):
    """A supervisor's decision on a business licence; a rejection needs its reason (the applicant is told)."""

    decision = SelectField(
        _l("Decision"),
        choices=[
            NO_CHOICE,
            SelectChoice("approve", _l("Approve: the licence matches")),
            SelectChoice("reject", _l("Reject")),
        ],
        validators=[DataRequired(message=_l("Choose approve or reject."))],
    )
    reason = TextAreaField(
        _l("Reason for a rejection"),
        validators=[Optional(), Length(max=500)],
        description=_l("E.g. the name or credit code on the licence differs, or it cannot be read."),
    )


class ResendInvitationForm(FlaskForm):
    """Only the CSRF token."""


class ReplyTemplateForm(FlaskForm):
    """A reply template: the category it is offered for (an area: all its categories), title, text."""

    category_id = SelectField(_l("Category"), coerce=int, validators=[DataRequired(_l("Choose a category."))])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=100)])
    body = TextAreaField(_l("Reply text"), validators=[DataRequired(), Length(max=5000)])
