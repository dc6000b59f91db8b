"""Small helpers every portal's views share: load-and-authorize a ticket, act, public-page caching."""

import uuid
from collections.abc import Callable
from functools import wraps

from flask import Response, abort, current_app, flash, make_response, redirect, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.interfaces import ORMOption

from supervise import storage
from supervise.domain import access, reference, timeline, workflow
from supervise.extensions import cache, db
from supervise.models import Role, Ticket, User


def roles_required(*roles: Role) -> Callable:
    """Login required, and the user must have one of ``roles`` (403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def load_ticket(ticket_id: int, *options: ORMOption, user: User | None = None) -> Ticket:
    """The ticket ``ticket_id`` if ``user`` (by default the current user) may see it: 404 if there is
    none, 403 if it is not theirs. ``options`` eager-load what the page shows, in the same query.

    Every portal's ticket pages and the API load a ticket here, so the rule "load, then authorize"
    has one place; the API's blueprint answers the same aborts as JSON.
    """
    if options:
        ticket = db.session.scalars(select(Ticket).where(Ticket.id == ticket_id).options(*options)).unique().first()
    else:
        ticket = db.session.get(Ticket, ticket_id)  # the identity map first: no query when already loaded
    if ticket is None:
        abort(404, description=_("No such ticket."))
    if not access.can_view(current_user if user is None else user, ticket):
        abort(403, description=_("You may not see this ticket."))
    return ticket


def act(
    ticket: Ticket,
    action: str,
    back: str,
    success: str | None = None,
    uploads: list[storage.CheckedUpload] | None = None,
    **data,
):
    """Perform ``action`` through the state machine, commit, flash the result, redirect to ``back``.

    ``uploads`` (already checked) are stored with the event. A refused transition, or a concurrent
    change by someone else, rolls back and changes nothing.
    """
    version = request.form.get("version", type=int)
    try:
        event = workflow.perform(ticket, action, current_user, expected_version=version, **data)
        for upload in uploads or []:
            storage.store(upload, ticket, current_user, event)
        db.session.commit()
    except workflow.TransitionError as err:
        db.session.rollback()
        return refused(err, back)
    except StaleDataError:
        db.session.rollback()
        return refused(workflow.Stale(), back)
    flash(success or _("Done: %(what)s.", what=timeline.label(action)), "success")
    return redirect(back)


def refused(err: workflow.TransitionError, back: str) -> Response:
    """What every portal answers when the state machine refuses an action: its message as a flash, and
    back to the ticket page (whatever the reason: the page shows the ticket as it now is)."""
    flash(str(err.message), "danger")
    return redirect(back)


def _personal() -> bool:
    """Pages that must not be shared: a logged-in user's (their name, their links) or one carrying
    a flash message meant for this visitor."""
    return current_user.is_authenticated or bool(session.get("_flashes"))


def _public_cache_key(*args, **kwargs) -> str:
    # The generation first: a publication change makes every copy rendered before it unreachable.
    return f"page:{reference.current_generation()}:{get_locale()}:{request.full_path}"


def _revalidated(response: Response, personal: bool) -> Response:
    """Browsers and proxies keep a page but ask again each time (a 304 when it is unchanged): a
    withdrawn publication must not live on in someone's cache."""
    if response.status_code == 200:
        response.headers["Cache-Control"] = "private, no-cache" if personal else "no-cache"
        response.add_etag()
        response.make_conditional(request)
    return response


def public_page(view: Callable) -> Callable:
    """Serve an anonymous public page from the shared cache for ``PUBLIC_CACHE_SECONDS``.

    Public pages render no CSRF token for anonymous visitors, so a cached copy fits everyone. A
    publication change shows on the next request (the cache key holds the public generation); other
    changes (a ticket's progress, the measures) within the cache time.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        cached = cache.cached(
            timeout=current_app.config["PUBLIC_CACHE_SECONDS"],
            unless=_personal,
            make_cache_key=_public_cache_key,
            response_filter=lambda response: getattr(response, "status_code", 200) == 200,
        )
        personal = _personal()
        return _revalidated(make_response(cached(view)(*args, **kwargs)), personal)

    return wrapped


def new_submission_key() -> str:
    """A fresh key for a complaint form, so that sending it twice files once. The client may change it:
    only its hash with the channel and the filer is stored (:class:`supervise.domain.intake.ClientKey`)."""
    return uuid.uuid4().hex
