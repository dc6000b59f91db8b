"""Attachment download: the one place that decides who may fetch an uploaded file."""

from typing import BinaryIO

from flask import abort, send_file
from flask_login import current_user

from supervise import storage
from supervise.domain import access
from supervise.domain.attachments import is_public, masked_name, may_download, public_files
from supervise.extensions import db
from supervise.models import Attachment, LicenceReview
from supervise.public import bp


@bp.route("/files/<id:attachment_id>")
def attachment(attachment_id: int):
    """Send one attachment as a download; 403 to users who may not have it, 404 to anonymous visitors."""
    found = db.get_or_404(Attachment, attachment_id)
    if not may_download(current_user, found):
        # Don't tell an anonymous visitor that the file exists.
        abort(403 if current_user.is_authenticated else 404)
    name = found.filename
    if not access.can_view(current_user, found.ticket):
        # Served to the public (or to a merged complaint's filer), under a made-up name.
        name = dict(public_files(found.ticket)).get(found) or masked_name(found)
    stream = storage.open_stored(found.stored_name)  # last: closed by the response from here on
    if stream is None:
        abort(404)
    return _download(stream, found.content_type, name, private=not is_public(found))


def _download(stream: BinaryIO, content_type: str, name: str, private: bool):
    """The file as a download in a sandbox, never rendered by the browser; kept out of shared caches
    when ``private``."""
    response = send_file(stream, mimetype=content_type, as_attachment=True, download_name=name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if private:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/files/licences/<id:review_id>")
def licence(review_id: int):
    """A business licence uploaded for verification: to supervisors and to the account that uploaded it."""
    found = db.get_or_404(LicenceReview, review_id)
    if not access.may_see_licence(current_user, found):
        abort(403 if current_user.is_authenticated else 404)
    stream = storage.open_stored(found.stored_name)
    if stream is None:
        abort(404)
    return _download(stream, found.content_type, found.filename, private=True)
