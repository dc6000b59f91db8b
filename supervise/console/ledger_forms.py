"""Forms of the office's ledger and supervision rounds: shapes only (a known choice, a date, a length);
whether a move may happen is ``supervise.domain.ledger``'s to say."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from supervise.domain.ledger import SOURCE_LABELS
from supervise.models import LedgerSource

DATE_MESSAGE = _l("Enter a date such as 2026-12-31.")


def _units_field(label):
    return SelectField(label, coerce=int, validators=[DataRequired(_l("Choose a unit."))])


class LedgerItemForm(FlaskForm):
    """A problem for the ledger: where it comes from, what it is, who rectifies it by when."""

    source = SelectField(
        _l("Source"),
        choices=[SelectChoice(s.value, SOURCE_LABELS[s]) for s in LedgerSource if s != LedgerSource.ROUND],
        validators=[DataRequired()],
    )
    title = StringField(_l("Problem"), validators=[DataRequired(_l("Give the problem a title.")), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    unit_id = _units_field(_l("Leading unit"))
    deadline = DateField(_l("Deadline"), validators=[InputRequired(DATE_MESSAGE)])
    tickets = StringField(
        _l("Linked tickets"),
        validators=[Optional(), Length(max=500)],
        description=_l("Tracking numbers of the complaints that show the pattern, separated by spaces."),
    )


class AcceptForm(FlaskForm):
    """销号: the supervisor's note and the summary the public reads."""

    note = TextAreaField(_l("Acceptance note"), validators=[Optional(), Length(max=2000)])
    public_summary = TextAreaField(
        _l("Summary for the public"),
        validators=[DataRequired(_l("Write the summary the public reads.")), Length(max=2000)],
        description=_l("Published on the rectification page, masked; never name an enterprise."),
    )


class SendBackForm(FlaskForm):
    """退回: why (the unit is told)."""

    reason = TextAreaField(
        _l("Reason for sending back"),
        validators=[DataRequired(_l("Say why the rectification is sent back: the unit is told.")), Length(max=2000)],
    )


class AssignForm(FlaskForm):
    """Another lead unit or deadline for an open item."""

    unit_id = _units_field(_l("Leading unit"))
    deadline = DateField(_l("Deadline"), validators=[InputRequired(DATE_MESSAGE)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class RoundForm(FlaskForm):
    """A new supervision round: its name, period and the units inspected."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the round a name.")), Length(max=100)])
    period_start = DateField(_l("Period starts"), validators=[InputRequired(DATE_MESSAGE)])
    period_end = DateField(_l("Period ends"), validators=[InputRequired(DATE_MESSAGE)])
    unit_ids = SelectMultipleField(
        _l("Units inspected"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(_l("Choose the units inspected."))],
    )


class ScoresForm(FlaskForm):
    """The scoring grid: its cells are read from the request as ``score-<unit>-<item>``."""


class FindingForm(FlaskForm):
    """A problem the round found at one of its units: it becomes a ledger item."""

    unit_id = _units_field(_l("Unit"))
    title = StringField(_l("Problem"), validators=[DataRequired(_l("Give the problem a title.")), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    deadline = DateField(_l("Deadline"), validators=[InputRequired(DATE_MESSAGE)])


class VerifyForm(FlaskForm):
    """This round's check of the previous round's item."""

    result = SelectField(
        _l("Result"),
        choices=[
            SelectChoice("confirmed", _l("Confirmed rectified")),
            SelectChoice("not_rectified", _l("Not rectified: reopen")),
        ],
        validators=[DataRequired()],
    )
    note = StringField(_l("What was found"), validators=[Optional(), Length(max=2000)])
