"""Forms of the public side: the disclosure filters (GET, no CSRF), the progress lookup and the e-mail
alerts (POST)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import Select

from supervise.domain.disclosure import PublicFilters
from supervise.forms_common import EmailAddress

STATE_CHOICES = [
    SelectChoice("", _l("Any state")),
    SelectChoice("open", _l("Being handled")),
    SelectChoice("closed", _l("Closed")),
]
SEARCH_MAX_LENGTH = 50


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _optional_int(value: object) -> int | None:
    """Coerce a select value to an id; an empty value means "any"."""
    if value in (None, ""):
        return None
    return int(value)


class KeptSelect(Select):
    """A select rendered once per process for each set of options and selected value: the filter's
    category and unit lists are the same for every visitor until the reference data changes. The view
    names the set in ``field.options_key`` (None: rendered every time)."""

    LIMIT = 512

    def __init__(self):
        super().__init__()
        self.kept: dict[tuple, str] = {}

    def __call__(self, field, **kwargs):
        options_key = getattr(field, "options_key", None)
        if options_key is None:
            return super().__call__(field, **kwargs)
        key = (options_key, field.id, field.name, field.data, tuple(sorted((k, str(v)) for k, v in kwargs.items())))
        html = self.kept.get(key)
        if html is None:
            if len(self.kept) >= self.LIMIT:
                self.kept.clear()
            html = self.kept[key] = super().__call__(field, **kwargs)
        return html


class DisclosureFilterForm(FlaskForm):
    """The filter bar of the published list, read from the query string.

    A value that does not parse or is not offered is dropped (the list is shown unfiltered on that
    field) instead of failing the page.
    """

    class Meta:
        csrf = False  # a GET search that changes nothing

    q = StringField(
        _l("Search"),
        filters=[_strip],
        validators=[Optional(), Length(max=SEARCH_MAX_LENGTH)],
        description=_l("Words from the published title, summary or result"),
    )
    category = SelectField(_l("Category"), coerce=_optional_int, validators=[Optional()], widget=KeptSelect())
    unit = SelectField(_l("Lead unit"), coerce=_optional_int, validators=[Optional()], widget=KeptSelect())
    state = SelectField(_l("State"), choices=STATE_CHOICES, default="", validators=[Optional()])
    since = DateField(_l("Published from"), validators=[Optional()])
    until = DateField(_l("Published until"), validators=[Optional()])

    def clean(self) -> PublicFilters:
        """Validate and return the filters of the fields that are valid; invalid ones are cleared."""
        self.validate()
        for field in self:
            if field.errors:
                field.data = None
                field.raw_data = []
        return PublicFilters(
            category_id=self.category.data or None,
            unit_id=self.unit.data or None,
            state=self.state.data or None,
            since=self.since.data,
            until=self.until.data,
            q=self.q.data or None,
        )

    def query_args(self) -> dict[str, str]:
        """The valid filters as query-string arguments (for the next-page link)."""
        args = {
            "q": self.q.data,
            "category": self.category.data,
            "unit": self.unit.data,
            "state": self.state.data,
            "since": self.since.data.isoformat() if self.since.data else None,
            "until": self.until.data.isoformat() if self.until.data else None,
        }
        return {key: str(value) for key, value in args.items() if value}


class LookupForm(FlaskForm):
    tracking_no = StringField(
        _l("Tracking number"),
        validators=[DataRequired(), Length(max=20)],
        description=_l("As shown when the complaint was filed"),
    )
    code = StringField(
        _l("Retrieval code"),
        validators=[DataRequired(), Length(max=12)],
        description=_l("The six-character code given with the tracking number"),
    )


class AlertSubscribeForm(FlaskForm):
    """The e-mail address to send a unit's, a category's or a ticket's alerts to (double opt-in)."""

    email = StringField(
        _l("E-mail address"),
        validators=[DataRequired(message=_l("Enter your e-mail address.")), EmailAddress()],
        description=_l("Never shown anywhere. You can stop the alerts from any of them, without an account."),
    )


class AlertConfirmForm(FlaskForm):
    """Only the CSRF token: a confirmation or unsubscribe is a POST, never a GET a link scanner makes."""
