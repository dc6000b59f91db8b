"""The web forms of the ticket actions, made from what each transition declares it accepts.

One builder for every portal: :func:`action_form` returns a ``FlaskForm`` subclass (CSRF on) with a
field per declared :class:`~supervise.domain.workflow.Param`, and ``payload()`` gives the data under
the keys the transition reads. A portal says whether its form refuses a missing required value itself
(the unit and enterprise pages: the panel opens again with the error) or leaves it to the state
machine (the console: its message is flashed).
"""

from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from supervise.domain import workflow
from supervise.domain.workflow.fields import BOOL, CHOICE, DATE, INT, TEXT, TEXTAREA, UNIT, UNITS, Param

NO_CHOICE = SelectChoice("", _l("— choose —"))
YES_NO = [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]


class ActionForm(FlaskForm):
    """The form of one action; ``renamed`` maps a declared name to the field's name on this form."""

    action: ClassVar[str] = ""
    renamed: ClassVar[dict[str, str]] = {}

    def field_of(self, name: str) -> Field:
        """The form's field for the declared field ``name``."""
        return self[self.renamed.get(name, name)]

    def payload(self) -> dict:
        """The data for ``workflow.perform``."""
        return {p.name: _value(p, self.field_of(p.name).data) for p in workflow.TRANSITIONS[self.action].fields}


def _value(p: Param, data: Any) -> Any:
    if p.kind in (TEXT, TEXTAREA):
        return data or ""
    if p.kind == BOOL and p.radio:
        return None if data is None else data == "yes"
    if p.kind in (CHOICE, UNIT):
        return data or None  # the empty choice (and 0, "routing decides") is no choice
    if p.kind == UNITS:
        return list(data or [])  # none ticked: no co-handling unit
    return data


def _options(p: Param) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in p.options().items()]


def _choice(p: Param, required: bool) -> Field:
    if p.radio:
        keys = list(p.options())
        coerce = int if keys and isinstance(keys[0], int) else str
        return RadioField(
            p.label,
            choices=lambda: _options(p),
            coerce=coerce,
            description=p.description,
            validators=[InputRequired(message=p.message) if required else Optional()],
        )
    if p.required:  # offered blank; the state machine (or the form) says what is missing
        return SelectField(
            p.label,
            choices=lambda: [NO_CHOICE, *_options(p)],
            validate_choice=False,
            description=p.description,
            validators=[DataRequired(message=p.message)] if required else [],
        )
    return SelectField(p.label, choices=lambda: _options(p), description=p.description)


def _field(p: Param, check_required: bool) -> Field:
    """The WTForms field for ``p``; ``check_required``: the form itself refuses a missing value."""
    required = check_required and p.required
    present = DataRequired() if required else Optional()
    if p.kind in (TEXT, TEXTAREA):
        cls = StringField if p.kind == TEXT else TextAreaField
        return cls(p.label, description=p.description, validators=[present, Length(max=p.max_length)])
    if p.kind == BOOL:
        if p.radio:
            return RadioField(
                p.label,
                choices=YES_NO,
                description=p.description,
                validators=[InputRequired(message=p.message) if required else Optional()],
            )
        return BooleanField(p.label, description=p.description)
    if p.kind == CHOICE:
        return _choice(p, required)
    if p.kind == DATE:
        return DateField(p.label, description=p.description, validators=[present])
    if p.kind == INT:
        return IntegerField(
            p.label, description=p.description, validators=[Optional(), NumberRange(min=p.min, max=p.max)]
        )
    if p.kind == UNITS:  # ticked boxes; the view offers the units that handle tickets, as for UNIT
        return SelectMultipleField(
            p.label,
            coerce=int,
            widget=ListWidget(prefix_label=False),
            option_widget=CheckboxInput(),
            description=p.description,
            validators=[Optional()],
        )
    # UNIT: the view offers the units that handle tickets (see ``handling_units``).
    return SelectField(p.label, coerce=int, description=p.description, validators=[Optional()])


def action_form(
    action: str, *, check_required: bool, rename: dict[str, str] | None = None, base: type[ActionForm] = ActionForm
) -> type[ActionForm]:
    """A form class for ``action`` with a field per declared field (``rename``: declared -> form name,
    for pages that show several panels whose fields would share an HTML id)."""
    rename = rename or {}
    attrs: dict[str, Any] = {"action": action, "renamed": rename}
    for p in workflow.TRANSITIONS[action].fields:
        attrs[rename.get(p.name, p.name)] = _field(p, check_required)
    name = "".join(part.capitalize() for part in action.split("_")) + "Form"
    return type(name, (base,), attrs)


def forms_for(
    parties: set[str], *, check_required: bool, rename: dict[str, dict[str, str]] | None = None
) -> dict[str, type[ActionForm]]:
    """A form class for every action one of ``parties`` may make (the actions a portal offers)."""
    rename = rename or {}
    return {
        action: action_form(action, check_required=check_required, rename=rename.get(action))
        for action, spec in workflow.TRANSITIONS.items()
        if spec.parties & parties
    }
