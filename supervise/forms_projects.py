"""Forms of the key projects: the lead unit's monthly report, a supervisor's follow-up of a blocker,
and the register's filters."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from supervise.domain.projects.register import STAGE_LABELS
from supervise.domain.projects.reports import BLOCKER_LABELS
from supervise.domain.workflow import ORDER_LEVELS

#: Blockers a report names at most (rows of the form).
BLOCKER_ROWS = 3


def options(pairs) -> list[SelectChoice]:
    """``SelectChoice`` options from (value, label) pairs or a dict."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, label) for value, label in items]


def _kind_choices() -> list[SelectChoice]:
    return options([("", _l("— kind —")), *BLOCKER_LABELS.items()])


class ReportForm(FlaskForm):
    """The lead unit's monthly report on a project."""

    progress = TextAreaField(
        _l("Progress this month"),
        validators=[DataRequired(_l("Describe the progress made this month.")), Length(max=4000)],
    )
    percent = IntegerField(
        _l("Percent complete"),
        validators=[InputRequired(_l("The percentage is between 0 and 100.")), NumberRange(0, 100)],
    )
    investment_done = DecimalField(
        _l("Investment completed to date (100 million yuan)"),
        places=2,
        validators=[
            InputRequired(_l("Give the investment completed in 100 million yuan, not negative.")),
            NumberRange(min=0),
        ],
    )
    stage = SelectField(_l("Stage"), choices=options(STAGE_LABELS))
    blocker_kind_1 = SelectField(_l("Blocker 1: kind"), choices=_kind_choices(), default="")
    blocker_text_1 = TextAreaField(_l("Blocker 1"), validators=[Optional(), Length(max=1000)])
    blocker_kind_2 = SelectField(_l("Blocker 2: kind"), choices=_kind_choices(), default="")
    blocker_text_2 = TextAreaField(_l("Blocker 2"), validators=[Optional(), Length(max=1000)])
    blocker_kind_3 = SelectField(_l("Blocker 3: kind"), choices=_kind_choices(), default="")
    blocker_text_3 = TextAreaField(_l("Blocker 3"), validators=[Optional(), Length(max=1000)])

    def blockers(self) -> list[tuple[str, str]]:
        """The (kind, text) of each row with a text."""
        rows = []
        for n in range(1, BLOCKER_ROWS + 1):
            text = (self[f"blocker_text_{n}"].data or "").strip()
            if text:
                rows.append((self[f"blocker_kind_{n}"].data or "", text))
        return rows


class MilestoneDoneForm(FlaskForm):
    done_on = DateField(_l("Reached on"), validators=[InputRequired(_l("Give the date it was reached."))])


class BlockerTicketForm(FlaskForm):
    """Turn a blocker into a ticket: the category decides its routing."""

    category = SelectField(_l("Category"), coerce=int, validators=[InputRequired(_l("Choose a category."))])


class BlockerOrderForm(FlaskForm):
    """A supervision order on a blocker's ticket."""

    level = SelectField(_l("Level"), choices=options(ORDER_LEVELS))
    deadline = DateField(
        _l("Answer by"), validators=[InputRequired(_l("Give the date by which the unit must answer."))]
    )
    note = TextAreaField(
        _l("What the unit must do"), validators=[DataRequired(_l("Say what the unit must do.")), Length(max=2000)]
    )


class ClearForm(FlaskForm):
    """Clear a blocker (a supervisor's judgement)."""


class RegisterFilterForm(FlaskForm):
    """The register's filters (GET, no CSRF)."""

    class Meta:
        csrf = False

    stage = SelectField(_l("Stage"), default="")
    unit = SelectField(_l("Lead unit"), default="")
    industry = SelectField(_l("Industry"), default="")
    late = BooleanField(_l("Late report"))
    month = StringField(_l("Month"), validators=[Optional(), Length(max=7)])


class ProjectForm(FlaskForm):
    """A supervisor registers a key project; milestones one per line: ``name, YYYY-MM-DD``."""

    name = StringField(_l("Project name"), validators=[DataRequired(_l("A project needs a name.")), Length(max=200)])
    credit_code = StringField(
        _l("Enterprise's unified social credit code"),
        validators=[DataRequired(_l("Give the enterprise's credit code.")), Length(max=18)],
    )
    investment = DecimalField(
        _l("Investment (100 million yuan)"),
        places=2,
        validators=[InputRequired(_l("Give the investment in 100 million yuan, not negative.")), NumberRange(min=0)],
    )
    investment_public = BooleanField(_l("Publish the investment"))
    industry = StringField(_l("Industry"), validators=[Optional(), Length(max=60)])
    stage = SelectField(_l("Stage"), choices=options(STAGE_LABELS))
    lead_unit = SelectField(_l("Lead unit"), coerce=int)
    chief_officer = SelectField(_l("Chief service officer"), coerce=int)
    secretary = SelectField(_l("Project secretary"), coerce=int)
    team = SelectMultipleField(_l("Service team"), coerce=int, validators=[Optional()])
    milestones = TextAreaField(
        _l("Milestones"),
        description=_l("One per line: name, planned date (YYYY-MM-DD)."),
        validators=[Optional(), Length(max=4000)],
    )
    description = TextAreaField(_l("Project description"), validators=[Optional(), Length(max=4000)])
    public = BooleanField(_l("Show on the public projects page"))
