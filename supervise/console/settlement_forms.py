"""Forms of the quarter's settlement: the scheme's weights, a site-tour score, an adjustment, settling."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from supervise.domain.settlement.figures import FIGURES, MAX_SCORE


def weights_form(weights: dict[str, int], formdata=None) -> FlaskForm:
    """One whole-number field per figure (0–100), filled with ``weights``, and a note on the change."""

    class WeightsForm(FlaskForm):
        note = StringField(_l("What changed and why"), validators=[Optional(), Length(max=200)])

    for key, figure in FIGURES.items():
        field = IntegerField(
            figure.label,
            validators=[InputRequired(_l("Give a weight (0 for none).")), NumberRange(0, 100)],
            description=figure.description,
            default=weights.get(key, 0),
        )
        setattr(WeightsForm, f"w_{key}", field)
    return WeightsForm(formdata=formdata, prefix="scheme")


class SiteTourForm(FlaskForm):
    unit_id = SelectField(_l("Unit"), coerce=int, validators=[DataRequired(_l("Choose a unit."))])
    site = StringField(_l("Project or site visited"), validators=[DataRequired(), Length(max=120)])
    score = DecimalField(_l("Score (0–100)"), places=2, validators=[InputRequired(), NumberRange(0, MAX_SCORE)])
    note = TextAreaField(_l("The group's remarks"), validators=[Optional(), Length(max=1000)])


class AdjustmentForm(FlaskForm):
    points = StringField(_l("Points (e.g. 2 or -1.5)"), validators=[DataRequired(), Length(max=10)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])


class SettleForm(FlaskForm):
    """Only the CSRF token: settling takes nothing else."""
