"""Forms of the unit workbench: one per action a unit takes on a ticket.

Field names are unique across the forms because several panels share one page (one HTML id each).
The hidden ``version`` field is rendered by ``_ticket.version_field`` and read by ``web.act``.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, MultipleFileField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from supervise import labels

TEXT_MAX = 5000


def _text(label, description=None) -> TextAreaField:
    return TextAreaField(label, description=description, validators=[DataRequired(), Length(max=TEXT_MAX)])


class SignForm(FlaskForm):
    """Signing for a dispatched ticket needs nothing but the CSRF token and the version."""


class ReturnForm(FlaskForm):
    reason = _text(_l("Reason for returning"),
                   _l("Why this ticket is not your unit's to handle, and who should handle it."))
    basis = _text(_l("Basis"), _l("The rule, responsibility list or document that assigns the matter elsewhere."))


class NoteForm(FlaskForm):
    note = _text(_l("Progress note"))
    public = BooleanField(_l("Public"), description=_l(
        "Shown to the enterprise, and on the public page once the ticket is published. "
        "Leave unticked for an internal note."))


class ExtensionForm(FlaskForm):
    new_due = DateField(_l("New due date"), validators=[DataRequired()],
                        description=_l("A working day later than the current due date."))
    extension_reason = _text(_l("Reason for the extension"))


class MaterialForm(FlaskForm):
    material = _text(_l("Material needed"),
                     _l("Tell the enterprise what to add. The handling clock pauses until it arrives."))


class ReplyForm(FlaskForm):
    outcome = RadioField(_l("Outcome"), choices=[SelectChoice(o.value, text) for o, text in labels.OUTCOME.items()],
                         validators=[InputRequired()])
    text = _text(_l("Reply to the enterprise"),
                 _l("What was done and the result. The supervisor reviews it before the enterprise sees it."))
    files = MultipleFileField(_l("Attachments"), description=_l("Up to 5 files: JPEG, PNG, PDF, Word or Excel."))


class OrderAnswerForm(FlaskForm):
    answer = _text(_l("Answer to the supervision order"))
