"""Forms of the enterprise portal: filing a complaint, adding material, rating, adding a colleague."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    MultipleFileField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from supervise.action_forms import ActionForm, action_form
from supervise.forms_common import strong_password, valid_email, valid_mobile
from supervise.params import parse_id


def _int_or_none(value) -> int | None:
    """Coerce a select's value to an id; an empty or bad one becomes None (the view then says what is missing)."""
    if isinstance(value, int):  # the offered choices
        return value
    return parse_id(value.strip()) if isinstance(value, str) else None


class ComplaintForm(FlaskForm):
    """One complaint. ``enterprise_id`` is only kept for cadres; the view fills the choices."""

    submission_key = HiddenField(validators=[Length(max=64)])
    enterprise_id = SelectField(
        _l("Enterprise"),
        coerce=_int_or_none,
        validate_choice=False,
        description=_l("The paired enterprise you are filing for."),
    )
    category_id = SelectField(_l("Category"), coerce=_int_or_none, validate_choice=False)
    title = StringField(
        _l("Title"), validators=[DataRequired(), Length(max=120)], description=_l("One line that names the problem.")
    )
    description = TextAreaField(
        _l("Description"),
        validators=[DataRequired(), Length(max=5000)],
        description=_l("What happened, since when, and what you have tried."),
    )
    area_id = SelectField(
        _l("Street / area"),
        coerce=int,
        validators=[Optional()],
        description=_l("Where the problem is; it helps to send it to the right office."),
    )
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=40)])
    contact_mobile = StringField(_l("Mobile"), validators=[Optional(), valid_mobile])
    contact_email = EmailField(_l("E-mail"), validators=[valid_email])
    publish_consent = BooleanField(
        _l("The complaint may be published"),
        default=True,
        description=_l(
            "Anonymised: your company's name never appears. The problem and its result are "
            "shown to the public so that everyone can supervise how it is handled."
        ),
    )
    files = MultipleFileField(_l("Attachments"))


class _WithFiles(ActionForm):
    files = MultipleFileField(_l("Attachments"))


#: The enterprise's actions on its ticket, made from the transitions' declarations.
MaterialForm = action_form("provide_material", check_required=True, base=_WithFiles)
RateForm = action_form("rate", check_required=True)
MergedRateForm = action_form("rate_merged", check_required=True)  # the reply to the ticket it was merged into


class ColleagueForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=60)])
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(min=3, max=60),
            Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Letters, digits, dot, dash and underscore only.")),
        ],
    )
    mobile = StringField(_l("Mobile"), validators=[DataRequired(), valid_mobile])
    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired(), Length(max=200), strong_password],
        description=_l("Tell it to your colleague; they should change it after logging in."),
    )


class SendCodeForm(FlaskForm):
    """Where to send the one-time code: one of the company's contacts on record (the view fills the choices)."""

    channel = RadioField(
        _l("Send the code to"), validators=[InputRequired(message=_l("Choose where to send the code."))]
    )


class CheckCodeForm(FlaskForm):
    code = StringField(_l("The code you received"), validators=[DataRequired(), Length(max=12)])


class LicenceForm(FlaskForm):
    licence = FileField(
        _l("Business licence"),
        validators=[FileRequired(message=_l("Choose the licence's file."))],
        description=_l(
            "A scan or photograph (PDF, JPEG or PNG) in which the company's name and "
            "unified social credit code can be read."
        ),
    )
