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


def check_upload(storage: FileStorage) -> CheckedUpload:
    """Validate one uploaded file by its content and size; raises :class:`UploadError`."""
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
    if kind is None or kind.mime not in ALLOWED:
        raise UploadError(_l("%(name)s is not a JPEG, PNG, PDF, Word or Excel file.", name=name))
    return CheckedUpload(storage, _display_name(name, ALLOWED[kind.mime]), kind.mime, size)


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


def path_of(attachment: Attachment) -> str:
    return os.path.join(current_app.config["UPLOAD_DIR"], attachment.stored_name[:2], attachment.stored_name)


def store(upload: CheckedUpload, ticket: Ticket, by: User | None, event: TicketEvent | None = None) -> Attachment:
    """Write the file and return its (added, uncommitted) attachment row."""
    stored_name = secrets.token_hex(16)
    attachment = Attachment(filename=upload.filename, stored_name=stored_name, content_type=upload.content_type,
                            size=upload.size, uploaded_by_id=by and by.id, event=event)
    path = path_of(attachment)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    upload.storage.stream.seek(0)
    upload.storage.save(path)
    ticket.attachments.append(attachment)
    return attachment
