"""The mailbox: every message the platform wrote to its outbox, as its recipient reads it, for an
administrator checking what was sent (in development, where the mail and SMS go to the log) without
reading the log. Off in production unless ``MAILBOX_ENABLED`` (the bodies hold one-time codes)."""

from flask import abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from supervise import paging
from supervise.models import OutboxMessage, Role, User
from supervise.ops import bp
from supervise.web import roles_required

PER_PAGE = 30
CHANNELS = {"inapp": _l("In-app"), "email": _l("E-mail"), "sms": _l("SMS")}
STATUSES = {
    "pending": _l("Pending"),
    "failed": _l("Failed, will retry"),
    "dead": _l("Given up"),
    "sent": _l("Delivered"),
}


class MailboxFilterForm(FlaskForm):
    """The filters of the mailbox (GET, no CSRF)."""

    class Meta:
        csrf = False

    channel = SelectField(
        _l("Channel"),
        choices=[SelectChoice("", _l("All channels")), *(SelectChoice(k, v) for k, v in CHANNELS.items())],
        default="",
    )
    recipient = StringField(
        _l("Recipient"),
        validators=[Optional(), Length(max=120)],
        description=_l("Address, mobile, username or name"),
    )


def _filtered(form: MailboxFilterForm):
    query = select(OutboxMessage).options(selectinload(OutboxMessage.user))
    if not form.validate():
        return query
    if form.channel.data:
        query = query.where(OutboxMessage.channel == form.channel.data)
    term = (form.recipient.data or "").strip()
    if term:
        users = select(User.id).where(
            or_(*(col.icontains(term, autoescape=True) for col in (User.username, User.name, User.email, User.mobile)))
        )
        query = query.where(
            or_(OutboxMessage.address.icontains(term, autoescape=True), OutboxMessage.user_id.in_(users))
        )
    return query


@bp.route("/mailbox")
@roles_required(Role.ADMIN)
def mailbox():
    if not current_app.config["MAILBOX_ENABLED"]:
        abort(404)
    form = MailboxFilterForm(request.args)
    args = {k: v for k, v in request.args.items() if k in ("channel", "recipient") and v}
    page = paging.keyset_page(
        _filtered(form), (OutboxMessage.id,), per_page=PER_PAGE, endpoint="ops.mailbox", args=args
    )
    return render_template(
        "ops/mailbox.html", messages=page.items, page=page, filters=form, channels=CHANNELS, statuses=STATUSES
    )
