"""Attachment storage: content-checked, size-limited, kept outside the static folder."""

import os
import secrets
from dataclasses import dataclass

import filetype
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from supervise.models import Attachment, Ticket, TicketEvent, User

# What a complaint may carry, identified by the file's content, never its name.
ALLOWED = {
    "image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}

# A business licence is a scan or a photograph.
LICENCE_TYPES = {mime: ext for mime, ext in ALLOWED.items() if mime in ("image/jpeg", "image/png", "application/pdf")}


class UploadError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class CheckedUpload:
    storage: FileStorage
    filename: str
    content_type: str
    size: int


def check_upload(storage: FileStorage, allowed: dict[str, str] = ALLOWED) -> CheckedUpload:
    """Validate one uploaded file by its content and size; raises :class:`UploadError`.

    ``allowed`` maps the content types accepted to their extensions (:data:`ALLOWED` or
    :data:`LICENCE_TYPES`)."""
    head = storage.stream.read(8192)
    storage.stream.seek(0, os.SEEK_END)
    size = storage.stream.tell()
    storage.stream.seek(0)
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    name = storage.filename or "file"
    if size == 0:
        raise UploadError(_l("%(name)s is empty.", name=name))
    if size > limit:
        raise UploadError(_l("%(name)s is larger than %(mb)d MB.", name=name, mb=limit // (1024 * 1024)))
    kind = filetype.guess(head)
    if kind is None or kind.mime not in allowed:
        if allowed is LICENCE_TYPES:
            raise UploadError(_l("%(name)s is not a JPEG, PNG or PDF file.", name=name))
        raise UploadError(_l("%(name)s is not a JPEG, PNG, PDF, Word or Excel file.", name=name))
    return CheckedUpload(storage, _display_name(name, allowed[kind.mime]), kind.mime, size)


def check_uploads(files: list[FileStorage]) -> list[CheckedUpload]:
    files = [f for f in files if f and f.filename]
    if len(files) > current_app.config["MAX_ATTACHMENTS"]:
        raise UploadError(_l("At most %(n)d files may be attached.", n=current_app.config["MAX_ATTACHMENTS"]))
    return [check_upload(f) for f in files]


def _display_name(name: str, ext: str) -> str:
    base = os.path.splitext(os.path.basename(name.replace("\\", "/")))[0][:150] or "file"
    safe = secure_filename(base) or "file"
    # secure_filename drops Chinese; keep the original base when it is harmless text.
    if all(ch.isprintable() and ch not in '/\\:*?"<>|' for ch in base):
        safe = base
    return f"{safe}.{ext}"


def path_for(stored_name: str) -> str:
    """Where the file stored as ``stored_name`` lives, outside the static folder."""
    return os.path.join(current_app.config["UPLOAD_DIR"], stored_name[:2], stored_name)


def path_of(attachment: Attachment) -> str:
    return path_for(attachment.stored_name)


def write(upload: CheckedUpload) -> str:
    """Write a checked upload under a new random name and return that name."""
    stored_name = secrets.token_hex(16)
    path = path_for(stored_name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    upload.storage.stream.seek(0)
    upload.storage.save(path)
    return stored_name


def store(upload: CheckedUpload, ticket: Ticket, by: User | None, event: TicketEvent | None = None) -> Attachment:
    """Write the file and return its (added, uncommitted) attachment row."""
    attachment = Attachment(filename=upload.filename, stored_name=write(upload), content_type=upload.content_type,
                            size=upload.size, uploaded_by_id=by and by.id, event=event)
    ticket.attachments.append(attachment)
    return attachment
