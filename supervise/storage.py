"""Attachment storage: content-checked, size-limited, kept outside the static folder, in the store
``STORAGE_BACKEND`` names — a local directory (default) or S3-compatible object storage, which every
machine of a deployment shares (``flask storage migrate`` moves the files from one to the other)."""

import hashlib
import os
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from typing import BinaryIO, Protocol

import filetype
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from supervise.models import Attachment, Ticket, TicketEvent, User

# What a complaint may carry, identified by the file's content, never its name.
ALLOWED = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/pdf": "pdf",
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


# ---------------------------------------------------------------- where the files are kept


class FileStore(Protocol):
    """Where stored files live, by their random stored name. Every web and worker process of a
    deployment must see the same store: one directory on one machine (or shared between machines),
    or S3-compatible object storage."""

    kind: str

    def save(self, name: str, stream: BinaryIO) -> None:
        """Keep ``stream``'s bytes (from its current position) as ``name``; a reader never sees half a file."""

    def open(self, name: str) -> BinaryIO:
        """The stored bytes of ``name`` to read; raises :class:`FileNotFoundError`."""

    def exists(self, name: str) -> bool:
        """Whether ``name`` is stored."""


class LocalStore:
    """Files in a directory (``UPLOAD_DIR``), two levels deep by name, outside the static folder."""

    kind = "local"

    def __init__(self, root: str):
        self.root = root

    def path(self, name: str) -> str:
        return os.path.join(self.root, name[:2], name)

    def save(self, name: str, stream: BinaryIO) -> None:
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        partial = f"{path}.{secrets.token_hex(4)}.part"
        with open(partial, "wb") as out:
            shutil.copyfileobj(stream, out)
        os.replace(partial, path)  # a concurrent reader sees the whole file or none

    def open(self, name: str) -> BinaryIO:
        return open(self.path(name), "rb")

    def exists(self, name: str) -> bool:
        return os.path.isfile(self.path(name))


class S3Store:
    """Objects in a bucket of S3-compatible storage (MinIO, Ceph RGW, a cloud's), under ``prefix``."""

    kind = "s3"

    def __init__(self, client, bucket: str, prefix: str = ""):
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def save(self, name: str, stream: BinaryIO) -> None:
        # One PUT is atomic: the object appears whole or not at all. Uploads are at most
        # MAX_ATTACHMENT_BYTES; larger ones would go in parts (upload_fileobj does).
        self.client.upload_fileobj(stream, self.bucket, self.key(name))

    def open(self, name: str) -> BinaryIO:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.key(name))["Body"]
        except self.client.exceptions.NoSuchKey as err:
            raise FileNotFoundError(name) from err

    def exists(self, name: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(name))
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True


def make_store(config: Mapping, kind: str | None = None) -> FileStore:
    """The store ``kind`` (``local`` or ``s3``; default ``STORAGE_BACKEND``) as ``config`` describes it."""
    kind = kind or config.get("STORAGE_BACKEND") or "local"
    if kind == "local":
        return LocalStore(config["UPLOAD_DIR"])
    if kind == "s3":
        if not config.get("S3_BUCKET"):
            raise RuntimeError("STORAGE_BACKEND=s3 needs S3_BUCKET (and S3_ENDPOINT_URL for MinIO or Ceph)")
        import boto3
        from botocore.config import Config as BotoConfig

        client = boto3.session.Session().client(
            "s3",
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            region_name=config.get("S3_REGION"),
            aws_access_key_id=config.get("S3_ACCESS_KEY_ID"),
            aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
            # Path-style addresses work with MinIO and Ceph without a DNS name per bucket; a hung store
            # costs a request seconds, not a worker.
            config=BotoConfig(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                connect_timeout=5,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )
        return S3Store(client, config["S3_BUCKET"], config.get("S3_PREFIX") or "")
    raise RuntimeError(f"STORAGE_BACKEND must be local or s3, not {kind!r}")


def files() -> FileStore:
    """The app's store, made once per app (a boto3 client is thread-safe and slow to make)."""
    found = current_app.extensions.get("supervise_storage")
    if found is None:
        found = current_app.extensions["supervise_storage"] = make_store(current_app.config)
    return found


def open_stored(stored_name: str) -> BinaryIO | None:
    """The bytes stored as ``stored_name`` to read, or None when they are not there."""
    try:
        return files().open(stored_name)
    except FileNotFoundError:
        return None


def checksum(stream: BinaryIO) -> tuple[int, str]:
    """Size and SHA-256 of what ``stream`` holds, read to its end and closed."""
    digest, size = hashlib.sha256(), 0
    try:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    finally:
        stream.close()
    return size, digest.hexdigest()


def write(upload: CheckedUpload) -> str:
    """Write a checked upload under a new random name and return that name."""
    stored_name = secrets.token_hex(16)
    upload.storage.stream.seek(0)
    files().save(stored_name, upload.storage.stream)
    return stored_name


def store(upload: CheckedUpload, ticket: Ticket, by: User | None, event: TicketEvent | None = None) -> Attachment:
    """Write the file and return its (added, uncommitted) attachment row."""
    attachment = Attachment(
        filename=upload.filename,
        stored_name=write(upload),
        content_type=upload.content_type,
        size=upload.size,
        uploaded_by_id=by and by.id,
        event=event,
    )
    ticket.attachments.append(attachment)
    return attachment
