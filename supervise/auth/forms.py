from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from supervise.forms_common import INDUSTRIES, strong_password, valid_credit_code, valid_email, valid_mobile


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=60)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Stay logged in on this device"))


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200), strong_password])
    confirm = PasswordField(
        _l("Repeat the new password"), validators=[DataRequired(), EqualTo("new", message=_l("The passwords differ."))]
    )


class NewAccountForm(FlaskForm):
    """The username and password of an account being created (registration, activating an invitation)."""

    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(min=3, max=60),
            Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Letters, digits, dot, dash and underscore only.")),
        ],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200), strong_password])
    confirm = PasswordField(
        _l("Repeat the password"), validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))]
    )


class RegisterForm(NewAccountForm):
    company = StringField(_l("Company name"), validators=[DataRequired(), Length(max=120)])
    credit_code = StringField(
        _l("Unified social credit code"),
        validators=[DataRequired(), valid_credit_code],
        description=_l("18 characters, as on the business licence"),
    )
    industry = SelectField(_l("Industry"), choices=lambda: [SelectChoice(value, label) for value, label in INDUSTRIES])
    area_id = SelectField(_l("Street / area"), coerce=int, validators=[Optional()])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    contact_name = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=40)])
    mobile = StringField(_l("Mobile"), validators=[DataRequired(), valid_mobile])
    email = EmailField(_l("E-mail"), validators=[valid_email])


class ActivateForm(NewAccountForm):
    """Activating an invitation: the invitee's name, username and password."""

    name = StringField(_l("Your full name"), validators=[DataRequired(), Length(max=60)])
