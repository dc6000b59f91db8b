"""Attachments through the storage interface: the local directory (default) and S3-compatible object
storage, against an S3 API server the test starts (moto's), and ``flask storage migrate`` both ways."""

import io
import os

import boto3
import pytest

from supervise import storage
from supervise.extensions import db
from supervise.models import State
from tests.conftest import free_port
from tests.factories import advance, file_ticket
from tests.test_attachments import PDF, attach

BUCKET = "supervise-test"


@pytest.fixture(scope="module")
def s3_endpoint():
    """A real S3 API over HTTP on a port of its own (moto's server, in a thread of the test process)."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, request):
    """The S3 settings of an empty bucket of its own."""
    bucket = f"{BUCKET}-{abs(hash(request.node.name)) % 10**8}"
    settings = {
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_BUCKET": bucket,
        "S3_PREFIX": "files/",
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "test",
        "S3_SECRET_ACCESS_KEY": "test-secret",
    }
    client = _client(settings)
    client.create_bucket(Bucket=bucket)
    yield settings
    for item in client.list_objects_v2(Bucket=bucket).get("Contents", []):
        client.delete_object(Bucket=bucket, Key=item["Key"])
    client.delete_bucket(Bucket=bucket)


def _client(settings: dict):
    return boto3.client(
        "s3",
        endpoint_url=settings["S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test-secret",
    )


def _object(settings: dict, name: str) -> bytes:
    return _client(settings).get_object(Bucket=settings["S3_BUCKET"], Key=f"files/{name}")["Body"].read()


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return storage.make_store({"UPLOAD_DIR": str(tmp_path)}, "local")
    return storage.make_store(request.getfixturevalue("s3"), "s3")


def test_a_store_keeps_reads_and_checks_files(store):
    name = "ab" + "0" * 30
    assert not store.exists(name)
    with pytest.raises(FileNotFoundError):
        store.open(name)
    store.save(name, io.BytesIO(PDF))
    assert store.exists(name)
    assert store.open(name).read() == PDF
    assert storage.checksum(store.open(name)) == (len(PDF), __import__("hashlib").sha256(PDF).hexdigest())
    store.save(name, io.BytesIO(b"replaced"))  # saved again: the new bytes, whole
    assert store.open(name).read() == b"replaced"


def test_unknown_or_incomplete_settings_are_refused():
    with pytest.raises(RuntimeError, match="S3_BUCKET"):
        storage.make_store({"STORAGE_BACKEND": "s3"})
    with pytest.raises(RuntimeError, match="local or s3"):
        storage.make_store({"STORAGE_BACKEND": "ftp"})


@pytest.fixture
def on_s3(app, s3, monkeypatch):
    """The suite's app keeping its files on S3 (as STORAGE_BACKEND=s3 makes it)."""
    for key, value in s3.items():
        monkeypatch.setitem(app.config, key, value)
    monkeypatch.setitem(app.extensions, "supervise_storage", storage.make_store(app.config))
    return s3


def test_attachments_uploaded_and_downloaded_through_s3(app, world, login, on_s3):
    ticket = file_ticket(world)
    attachment = attach(ticket, world.enterprise_user, ticket.events[0])
    advance(world, ticket, State.DISPATCHED)
    db.session.commit()
    assert _object(on_s3, attachment.stored_name) == PDF
    assert not os.path.exists(
        os.path.join(app.config["UPLOAD_DIR"], attachment.stored_name[:2], attachment.stored_name)
    )
    response = login(world.handler).get(f"/files/{attachment.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment;")
    _client(on_s3).delete_object(Bucket=on_s3["S3_BUCKET"], Key=f"files/{attachment.stored_name}")
    assert login(world.handler).get(f"/files/{attachment.id}").status_code == 404


def test_the_complaint_form_files_to_s3(app, world, login, on_s3):
    from tests.factories import complaint_form

    form = complaint_form(world)
    form["files"] = [(io.BytesIO(PDF), "材料.pdf")]
    response = login(world.enterprise_user).post("/my/new", data=form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    from supervise.models import Attachment

    stored = db.session.scalars(db.select(Attachment)).one()
    assert _object(on_s3, stored.stored_name) == PDF


def _run(app, *args: str):
    return app.test_cli_runner().invoke(args=["storage", "migrate", *args])


def test_migrate_copies_verifies_and_can_run_again_both_ways(app, world, s3, monkeypatch, tmp_path):
    ticket = file_ticket(world)
    first, second = (attach(ticket, world.enterprise_user, ticket.events[0], name=f"{n}.pdf") for n in "ab")
    db.session.commit()
    for key, value in s3.items():
        if key != "STORAGE_BACKEND":  # the app still uses the local directory
            monkeypatch.setitem(app.config, key, value)

    done = _run(app, "--from", "local", "--to", "s3")
    assert done.exit_code == 0, done.output
    assert "2 files: 2 copied and verified, 0 already there" in done.output
    assert _object(s3, first.stored_name) == PDF == _object(s3, second.stored_name)

    done = _run(app, "--from", "local", "--to", "s3")
    assert "2 files: 0 copied and verified, 2 already there" in done.output
    # An object that differs (an interrupted earlier copy, a bad disk) is copied again.
    _client(s3).put_object(Bucket=s3["S3_BUCKET"], Key=f"files/{first.stored_name}", Body=b"truncated")
    done = _run(app, "--from", "local", "--to", "s3")
    assert "2 files: 1 copied and verified, 1 already there" in done.output
    assert _object(s3, first.stored_name) == PDF

    # And back, into an empty directory.
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "back"))
    done = _run(app, "--from", "s3", "--to", "local")
    assert done.exit_code == 0 and "2 files: 2 copied and verified" in done.output
    back = storage.make_store(app.config, "local")
    assert back.open(first.stored_name).read() == PDF

    # A file the database knows and the source has lost is reported, and the command fails.
    _client(s3).delete_object(Bucket=s3["S3_BUCKET"], Key=f"files/{second.stored_name}")
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "again"))
    done = _run(app, "--from", "s3", "--to", "local")
    assert done.exit_code == 1
    assert "1 copied and verified, 0 already there, 1 missing from s3" in done.output
    assert _run(app, "--from", "s3", "--to", "s3").exit_code != 0
