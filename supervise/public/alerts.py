"""E-mail alerts for anyone, without an account: follow a unit, a category or one published ticket.

Subscribe (an address, CSRF, rate-limited per client address) → a confirmation mail with a signed
link → confirm (a POST from the page the link opens) → alerts. Every alert's unsubscribe link opens a
page whose button POSTs; mail clients POST to the same address with one click (RFC 8058), without a
CSRF token: the signed token is the authority. None of these pages is cached or shows an address.
"""

from flask import abort, make_response, render_template, request
from flask_babel import get_locale

from supervise import throttle
from supervise.domain import alerts as rules
from supervise.domain import mail
from supervise.domain.clock import now
from supervise.extensions import csrf, db, limiter
from supervise.models import Ticket
from supervise.operations import alerts as operations
from supervise.params import id_arg
from supervise.public import bp
from supervise.public.forms import AlertConfirmForm, AlertSubscribeForm


def _private(template: str, status: int = 200, **context):
    response = make_response(render_template(template, hours=rules.CONFIRM_HOURS, **context), status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _requested_target() -> rules.Target | None:
    """What the address asks to follow: ``?unit=ID``, ``?category=ID`` or ``?ticket=TRACKING_NO``."""
    tracking_no = (request.args.get("ticket") or "").strip()[:20]
    if tracking_no:
        ident = db.session.scalar(db.select(Ticket.id).where(Ticket.tracking_no == tracking_no))
        return rules.find_target(rules.TICKET, ident)
    for kind in (rules.UNIT, rules.CATEGORY):
        ident = id_arg(kind)
        if ident is not None:
            return rules.find_target(kind, ident)
    return None


@bp.route("/alerts/subscribe", methods=["GET", "POST"])
@limiter.limit(throttle.configured("ALERT_SUBSCRIBE_RATE_LIMIT"), methods=["POST"])
def alert_subscribe():
    """The subscribe form; after it, the same answer for every address: look in your inbox."""
    target = _requested_target()
    if target is None:
        abort(404)
    form = AlertSubscribeForm()
    if form.validate_on_submit():
        try:
            operations.subscribe(form.email.data, target, str(get_locale() or ""), now())
        except mail.InvalidEmail as err:
            form.email.errors = [err.message]
        else:
            db.session.commit()
            return _private("public/alerts.html", step="sent", target=target)
    return _private("public/alerts.html", step="subscribe", target=target, form=form)


@bp.route("/alerts/confirm/<token>", methods=["GET", "POST"])
def alert_confirm(token: str):
    """The confirmation link: a page with one button (a link scanner's GET confirms nothing)."""
    subscription = rules.read_token(token, rules.CONFIRM)
    if subscription is None or rules.confirm_expired(subscription, now()):
        return _private("public/alerts.html", step="invalid", status=404)
    target = rules.target_of(subscription)
    form = AlertConfirmForm()
    if form.validate_on_submit() and operations.confirm(token, now()) is not None:
        db.session.commit()
        return _private("public/alerts.html", step="confirmed", target=target)
    return _private("public/alerts.html", step="confirm", target=target, form=form)


@bp.route("/alerts/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client's one-click POST carries no CSRF token; the signed token decides
def alert_unsubscribe(token: str):
    """GET: a page asking to confirm; POST (its button, or a mail client's one click): unsubscribe."""
    subscription = rules.read_token(token, rules.UNSUBSCRIBE)
    if subscription is None:
        return _private("public/alerts.html", step="gone", status=404)
    target = rules.target_of(subscription)
    if request.method == "POST":
        operations.unsubscribe(token)
        db.session.commit()
        return _private("public/alerts.html", step="unsubscribed", target=target)
    return _private("public/alerts.html", step="unsubscribe", target=target, form=AlertConfirmForm())
