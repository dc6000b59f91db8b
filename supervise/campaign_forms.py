"""Forms of the campaigns (专项活动): the supervisor's setup and forum, the visitor's visit, the
enterprise's questionnaire; each problem is a row of category, title and description."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from supervise.domain.campaigns import MAX_QUESTIONS, Problem
from supervise.models import CampaignState, Category

PROBLEM_ROWS = 3
STATE_LABELS = {CampaignState.DRAFT: _l("draft"), CampaignState.OPEN: _l("open"), CampaignState.CLOSED: _l("closed")}
SIZE_LABELS = {"large": _l("Large"), "medium": _l("Medium"), "small": _l("Small"), "micro": _l("Micro")}


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes (kinder on a phone than a multiple select)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CampaignForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    quarter = SelectField(
        _l("Quarter"), coerce=int, choices=[SelectChoice(q, _l("Quarter %(q)d", q=q)) for q in (1, 2, 3, 4)]
    )
    theme = StringField(_l("Theme"), validators=[Optional(), Length(max=120)])
    description = TextAreaField(_l("About the campaign"), validators=[Optional(), Length(max=2000)])
    target_all = BooleanField(_l("Every enterprise of the zone"))
    area_ids = MultiCheckboxField(_l("Areas"), coerce=int)
    industries = MultiCheckboxField(_l("Industries"))
    sizes = MultiCheckboxField(_l("Sizes"))
    unit_ids = MultiCheckboxField(_l("Visiting units"), coerce=int)
    cadre_ids = MultiCheckboxField(_l("Visiting cadres"), coerce=int)
    question_text = TextAreaField(
        _l("Questionnaire"),
        description=_l("One question per line, at most %(n)d.", n=MAX_QUESTIONS),
        validators=[Optional(), Length(max=3000)],
    )

    def question_list(self) -> list[str]:
        return [line.strip() for line in (self.question_text.data or "").splitlines() if line.strip()]


class ProblemForm(Form):
    """One problem raised; a row left empty is no problem."""

    category_id = SelectField(_l("Category"), coerce=int, validate_choice=False)
    title = StringField(_l("Title"), validators=[Optional(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])

    def is_empty(self) -> bool:
        return not (self.title.data or "").strip() and not (self.description.data or "").strip()


class WithProblems(FlaskForm):
    problems = FieldList(FormField(ProblemForm), min_entries=PROBLEM_ROWS, max_entries=PROBLEM_ROWS)

    def offer(self, categories: list[Category]) -> None:
        choices = [SelectChoice(0, "—")] + [SelectChoice(c.id, c.full_name) for c in categories]
        for row in self.problems:
            row.form.category_id.choices = choices

    def problem_list(self, categories: dict[int, Category]) -> list[Problem] | None:
        """The rows filled in as problems; None (with the rows' errors) when one is incomplete."""
        found, ok = [], True
        for row in self.problems:
            sub = row.form
            if sub.is_empty():
                continue
            category = categories.get(sub.category_id.data or 0)
            if category is None:
                sub.category_id.errors = [_l("Choose a category from the list.")]
                ok = False
            if not (sub.title.data or "").strip() or not (sub.description.data or "").strip():
                sub.title.errors = [_l("A problem needs a title and a description.")]
                ok = False
            if ok:
                found.append(Problem(category, sub.title.data.strip(), sub.description.data.strip()))
        return found if ok else None


class VisitForm(WithProblems):
    enterprise_id = SelectField(_l("Enterprise visited"), coerce=int, validate_choice=False)
    visited_on = DateField(_l("Date of the visit"), validators=[DataRequired()])
    people_met = StringField(_l("People met"), validators=[DataRequired(), Length(max=200)])
    no_problem = BooleanField(_l("No problem raised"))


class ForumForm(WithProblems):
    held_on = DateField(_l("Date"), validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=120)])
    attendees = TextAreaField(_l("Attendees"), validators=[Optional(), Length(max=2000)])
    summary = TextAreaField(_l("Minutes"), validators=[Optional(), Length(max=4000)])
    enterprise_id = SelectField(_l("Enterprise raising the problems"), coerce=int, validate_choice=False)


class QuestionnaireForm(WithProblems):
    """The questions are the campaign's own: their answers are read as ``answer-<n>`` fields."""
