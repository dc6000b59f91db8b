"""Forms of the supervisor console: one small form per action panel, the list filters and staff intake.

Action forms check the shape of what was typed (a known choice, a date, a number in range); whether the
action may happen and what it requires is the state machine's to say. ``payload()`` gives the data under
the keys the workflow's effect functions read.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from supervise import labels
from supervise.domain import workflow
from supervise.forms_common import INDUSTRIES, valid_email, valid_mobile
from supervise.models import Source

NOTE_MAX = 2000
NO_CHOICE = SelectChoice("", _l("— choose —"))


def options(pairs) -> list[SelectChoice]:
    """``SelectChoice`` options from (value, label) pairs or a dict."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, label) for value, label in items]


def _note(label=_l("Note"), description=None) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(max=NOTE_MAX)], description=description)


def _handle_days() -> IntegerField:
    return IntegerField(_l("Working days to handle"), validators=[Optional(), NumberRange(min=1, max=90)],
                        description=_l("Leave empty to use the time-limit class."))


class ActionForm(FlaskForm):
    """An action panel on the console ticket page."""

    def payload(self) -> dict:
        """The data for ``workflow.perform``."""
        return {}


class NoteForm(ActionForm):
    note = _note()

    def payload(self) -> dict:
        return {"note": self.note.data or ""}


class AcceptForm(NoteForm):
    unit_id = SelectField(_l("Lead unit"), coerce=int, validators=[Optional()],
                          description=_l("Leave on “routing decides” to apply the routing rules; "
                                         "a complaint no rule fits goes to the dispatch queue."))

    def payload(self) -> dict:
        return {"unit_id": self.unit_id.data or None, "note": self.note.data or ""}


class DeclineForm(NoteForm):
    reason = SelectField(_l("Reason"), choices=[NO_CHOICE, *options(workflow.DECLINE_REASONS)],
                         validate_choice=False)  # the state machine checks it against the published list

    def payload(self) -> dict:
        return {"reason": self.reason.data or None, "note": self.note.data or ""}


class DispatchForm(NoteForm):
    unit_id = SelectField(_l("Lead unit"), coerce=int, validators=[Optional()])
    limit_class = SelectField(_l("Time-limit class"),
                              choices=options((k.value, v) for k, v in labels.LIMIT_CLASS.items()))
    handle_days = _handle_days()

    def payload(self) -> dict:
        return {"unit_id": self.unit_id.data or None, "limit_class": self.limit_class.data,
                "handle_days": self.handle_days.data, "note": self.note.data or ""}


class ReopenForm(NoteForm):
    handle_days = IntegerField(_l("Working days to handle"), validators=[Optional(), NumberRange(min=1, max=90)],
                               description=_l("Leave empty to give the ticket's usual time limit again."))

    def payload(self) -> dict:
        return {"note": self.note.data or "", "handle_days": self.handle_days.data}


class OrderForm(NoteForm):
    level = SelectField(_l("Level"), choices=[NO_CHOICE, *options(workflow.ORDER_LEVELS)],
                        validate_choice=False)  # checked by the state machine
    deadline = DateField(_l("Answer by"), validators=[Optional()])

    def payload(self) -> dict:
        return {"level": self.level.data or None, "deadline": self.deadline.data, "note": self.note.data or ""}


class MergeForm(NoteForm):
    into = StringField(_l("Tracking number of the ticket to merge into"), validators=[Optional(), Length(max=20)])

    def payload(self) -> dict:
        return {"into": self.into.data or "", "note": self.note.data or ""}


class PublishForm(ActionForm):
    public_title = StringField(_l("Public title"), validators=[Optional(), Length(max=120)])
    public_summary = TextAreaField(_l("Public summary of the problem"), validators=[Optional(), Length(max=5000)])

    def payload(self) -> dict:
        return {"public_title": self.public_title.data or "", "public_summary": self.public_summary.data or ""}


class PublishResultForm(ActionForm):
    public_reply = TextAreaField(_l("Public summary of the result"), validators=[Optional(), Length(max=5000)])

    def payload(self) -> dict:
        return {"public_reply": self.public_reply.data or ""}


class RedactionTermForm(ActionForm):
    term = StringField(_l("Word to mask"), validators=[Optional(), Length(max=100)],
                       description=_l("A name, nickname or other word to hide on this ticket's public pages."))

    def payload(self) -> dict:
        return {"term": self.term.data or ""}


#: The actions the console offers, each with its form; the form's prefix is the action's name.
ACTION_FORMS: dict[str, type[ActionForm]] = {
    "accept": AcceptForm,
    "decline": DeclineForm,
    "dispatch": DispatchForm,
    "reject_return": NoteForm,
    "grant_extension": NoteForm,
    "refuse_extension": NoteForm,
    "approve_reply": NoteForm,
    "send_back": NoteForm,
    "reopen": ReopenForm,
    "uphold": NoteForm,
    "close_unrated": ActionForm,
    "issue_order": OrderForm,
    "merge": MergeForm,
    "publish": PublishForm,
    "publish_result": PublishResultForm,
    "unpublish": NoteForm,
    "add_redaction_term": RedactionTermForm,
}


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
    aliases = TextAreaField(_l("Other names and aliases"), validators=[Length(max=2000)],
                            description=_l("One per line: short names, brand names, former names. They are masked "
                                           "in every public text of this company's tickets, like its full name."))


class IntakeForm(FlaskForm):
    """A complaint that came by phone, at the hall, from a visit, a campaign, the province or the media."""

    submission_key = HiddenField()
    enterprise = StringField(_l("Enterprise"), validators=[DataRequired(), Length(max=120)],
                             description=_l("Type the company's name or its unified social credit code."))
    new_company = StringField(_l("Name of a company not yet registered"), validators=[Optional(), Length(max=120)],
                              description=_l("Only when the company is not on the platform: type its credit code "
                                             "above and its name here, and it is registered with the complaint."))
    new_company_industry = SelectField(_l("Its industry"), choices=options(INDUSTRIES), validators=[Optional()])
    source = SelectField(_l("Channel"), choices=options((s.value, labels.SOURCE[s]) for s in STAFF_SOURCES),
                         default=Source.HOTLINE.value)
    category_id = SelectField(_l("Category"), coerce=int, validators=[DataRequired()])
    area_id = SelectField(_l("Street / area"), coerce=int, validators=[Optional()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[DataRequired(), Length(max=5000)])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=40)],
                               description=_l("Leave empty to use the company's registered contact."))
    contact_mobile = StringField(_l("Mobile"), validators=[Optional(), valid_mobile])
    contact_email = EmailField(_l("E-mail"), validators=[valid_email])
    publish_consent = BooleanField(_l("The enterprise agrees that the case may be published, anonymised"),
                                   default=True)
    files = MultipleFileField(_l("Attachments"),
                              description=_l("Up to 5 files: JPEG, PNG, PDF, Word or Excel, 10 MB each."))


class LicenceDecisionForm(FlaskForm):
    """A supervisor's decision on a business licence; a rejection needs its reason (the applicant is told)."""

    decision = SelectField(_l("Decision"), choices=[NO_CHOICE,
                                                    SelectChoice("approve", _l("Approve: the licence matches")),
                                                    SelectChoice("reject", _l("Reject"))],
                           validators=[DataRequired(message=_l("Choose approve or reject."))])
    reason = TextAreaField(_l("Reason for a rejection"), validators=[Optional(), Length(max=500)],
                           description=_l("E.g. the name or credit code on the licence differs, or it cannot be read."))


class ResendInvitationForm(FlaskForm):
    """Only the CSRF token."""
