"""Administration forms. Choices that come from the database are filled in by the view."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from supervise import labels
from supervise.forms_common import strong_password, valid_email, valid_mobile
from supervise.models import UNIT_ROLES, Role

NONE = 0  # the value of the "none" option of an optional id select

STAFF_ROLES = [Role.HANDLER, Role.LEADER, Role.SUPERVISOR, Role.CADRE, Role.ADMIN]


def option(value: int | str, label: str) -> SelectChoice:
    """One option of a select."""
    return SelectChoice(value, label)


def _choices(mapping: dict) -> list[SelectChoice]:
    return [option(key.value, label) for key, label in mapping.items()]


def _offered(field) -> set:
    return {choice.value for choice in field.choices or []}


class UnitForm(FlaskForm):
    """Create or edit a unit; ``forbidden_parents`` (itself and its descendants) is set by the view."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    short_name = StringField(_l("Short name"), validators=[Optional(), Length(max=40)])
    kind = SelectField(_l("Kind"), choices=_choices(labels.UNIT_KIND))
    parent_id = SelectField(_l("Parent unit"), coerce=int, default=NONE, validate_choice=False)
    active = BooleanField(
        _l("Active"), default=True, description=_l("Inactive units receive no new tickets; units are never deleted.")
    )
    sort = IntegerField(_l("Sort order"), default=0, validators=[InputRequired(), NumberRange(-9999, 9999)])

    forbidden_parents: frozenset[int] = frozenset()

    def validate_parent_id(self, field) -> None:
        if field.data == NONE:
            return
        if field.data not in _offered(field):
            raise ValidationError(_l("Choose a unit from the list."))
        if field.data in self.forbidden_parents:
            raise ValidationError(_l("A unit cannot be placed under itself or one of its own sub-units."))


class CategoryForm(FlaskForm):
    """A top-level area (no parent) or a category under an area; ``area_ids`` is set by the view."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])
    parent_id = SelectField(
        _l("Area"), coerce=int, default=NONE, validate_choice=False, description=_l("Leave empty for a top-level area.")
    )
    default_lead_unit_id = SelectField(
        _l("Default lead unit"),
        coerce=int,
        default=NONE,
        validate_choice=False,
        description=_l("Used when no routing rule applies."),
    )
    co_unit_ids = SelectMultipleField(
        _l("Co-handling units"), coerce=int, default=list, description=_l("Hold Ctrl (or Cmd) to choose several.")
    )
    limit_class = SelectField(_l("Time limit"), choices=_choices(labels.LIMIT_CLASS), default="standard")
    intake_questions = TextAreaField(
        _l("Intake questions"),
        validators=[Optional(), Length(max=4000)],
        description=_l("One question per line; asked when a complaint is filed."),
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    active = BooleanField(_l("Active"), default=True)
    sort = IntegerField(_l("Sort order"), default=0, validators=[InputRequired(), NumberRange(-9999, 9999)])

    area_ids: frozenset[int] = frozenset()
    unit_ids: frozenset[int] = frozenset()
    editing_id: int | None = None
    has_children: bool = False

    def validate_parent_id(self, field) -> None:
        if field.data == NONE:
            return
        if field.data == self.editing_id:
            raise ValidationError(_l("A category cannot be placed under itself."))
        if field.data not in self.area_ids:
            raise ValidationError(_l("A category can only be placed under a top-level area, not under a category."))
        if self.has_children:
            raise ValidationError(_l("This area has categories under it; it must stay a top-level area."))

    def validate_default_lead_unit_id(self, field) -> None:
        if field.data != NONE and field.data not in self.unit_ids:
            raise ValidationError(_l("Choose a unit from the list."))


class RuleForm(FlaskForm):
    """A new routing rule: a concrete category, optionally one area, goes to a lead unit."""

    category_id = SelectField(_l("Category"), coerce=int, description=_l("A concrete category, not a top-level area."))
    area_id = SelectField(
        _l("Area (street / town)"), coerce=int, default=NONE, description=_l("Leave empty for the whole zone.")
    )
    lead_unit_id = SelectField(_l("Lead unit"), coerce=int)
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


def _unit_rule(form, field) -> None:
    if form.role_value() in UNIT_ROLES and field.data == NONE:
        raise ValidationError(_l("Unit handlers and leaders must belong to a unit."))
    if form.role_value() == Role.ENTERPRISE and field.data != NONE:
        raise ValidationError(_l("Enterprise users do not belong to a unit."))
    if field.data != NONE and field.data not in _offered(field):
        raise ValidationError(_l("Choose a unit from the list."))


class UserEditForm(FlaskForm):
    """Edit a user's details; the role is fixed once created (``role`` is set by the view)."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=60)])
    unit_id = SelectField(
        _l("Unit"),
        coerce=int,
        default=NONE,
        validate_choice=False,
        validators=[_unit_rule],
        description=_l("Required for unit handlers and leaders; the office for supervisors."),
    )
    mobile = StringField(_l("Mobile"), validators=[Optional(), valid_mobile])
    email = EmailField(_l("E-mail"), validators=[valid_email])
    active = BooleanField(
        _l("Active"), default=True, description=_l("An inactive user cannot log in; their sessions end at once.")
    )

    role: Role | None = None

    def role_value(self) -> Role | None:
        return self.role


class UserNewForm(UserEditForm):
    """Create a staff account (enterprise accounts come from company registration)."""

    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(min=3, max=60),
            Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Letters, digits, dot, dash and underscore only.")),
        ],
    )
    role_choice = SelectField(_l("Role"), choices=[option(r.value, labels.ROLE[r]) for r in STAFF_ROLES])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200), strong_password])
    confirm = PasswordField(
        _l("Repeat the password"), validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))]
    )

    def role_value(self) -> Role | None:
        try:
            return Role(self.role_choice.data)
        except ValueError:
            return None


class PasswordResetForm(FlaskForm):
    """A new password chosen by the administrator; the user's sessions end."""

    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200), strong_password])
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class PairForm(FlaskForm):
    """Pair a liaison cadre with an enterprise."""

    enterprise_id = SelectField(_l("Enterprise"), coerce=int)


class UserFilterForm(FlaskForm):
    """The filters of the user list (GET, no CSRF)."""

    class Meta:
        csrf = False

    # No Optional(): it would clear the choice check for a blank-looking value such as " " ("" is offered).
    role = SelectField(_l("Role"), choices=[option("", _l("All roles"))] + _choices(labels.ROLE), default="")
    q = StringField(
        _l("Search"), validators=[Optional(), Length(max=60)], description=_l("Name, username, mobile or e-mail")
    )


class CalendarDayForm(FlaskForm):
    """An administrator's correction of one day."""

    day = DateField(_l("Date"), validators=[InputRequired()])  # InputRequired keeps the "not a valid date" error
    is_workday = RadioField(
        _l("Status"),
        default="0",
        validators=[InputRequired()],
        choices=[option("0", _l("Holiday (day off)")), option("1", _l("Working day"))],
    )
    name = StringField(
        _l("Name"), validators=[Optional(), Length(max=60)], description=_l("For example the holiday's name.")
    )


class CalendarDayClearForm(FlaskForm):
    """Remove a stored day (its status falls back to the weekend rule)."""

    day = DateField(widget=HiddenInput(), validators=[InputRequired()])


class CalendarSyncForm(FlaskForm):
    """Load the package's holidays and make-up days for a year and the next."""

    year = HiddenField(validators=[DataRequired(), Regexp(r"^\d{4}$")])
