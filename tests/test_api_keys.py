"""API keys for Open311 clients: administrators issue them (in the admin pages and with
``flask api-key create NAME``), see when each was last used, and revoke them."""

import re

import pytest
from sqlalchemy import func, select

from supervise.extensions import db
from supervise.models import ApiKey, Ticket, hash_secret
from tests.factories import filing

KEY = re.compile(r"k_[A-Za-z0-9_-]{20,}")


def file_with(client, world, secret: str):
    return client.post("/open311/v2/requests.json", data=filing(world, secret))


def test_an_administrator_issues_a_key_that_is_shown_once_and_files_requests(client, world, login):
    login(world.admin)
    assert client.get("/admin/api-keys/new").status_code == 200

    response = client.post("/admin/api-keys/new", data={"name": "市民热线系统"})

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    (secret,) = set(KEY.findall(response.get_data(as_text=True)))
    key = db.session.scalar(select(ApiKey))
    assert key.name == "市民热线系统"
    assert key.created_by_id == world.admin.id
    assert key.key_hash == hash_secret(secret) and secret not in (key.key_hash, key.prefix)
    assert secret.startswith(key.prefix)
    listing = client.get("/admin/api-keys").get_data(as_text=True)
    assert "市民热线系统" in listing and key.prefix in listing and secret not in listing
    assert "Never" in listing

    assert file_with(client, world, secret).status_code == 201
    db.session.refresh(key)
    assert key.last_used_at is not None


def test_a_key_needs_a_name(client, world, login):
    login(world.admin)
    response = client.post("/admin/api-keys/new", data={"name": "  "})
    assert response.status_code == 200
    assert not KEY.search(response.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(ApiKey)) == 0


def test_a_revoked_key_is_refused_with_403(client, world, login):
    login(world.admin)
    secret = KEY.search(client.post("/admin/api-keys/new", data={"name": "city app"}).get_data(as_text=True))[0]
    key = db.session.scalar(select(ApiKey))

    response = client.post(f"/admin/api-keys/{key.id}/revoke", follow_redirects=True)

    assert response.status_code == 200
    assert "Revoked" in response.get_data(as_text=True)
    db.session.refresh(key)
    assert key.revoked_at is not None
    refused = file_with(client, world, secret)
    assert refused.status_code == 403
    assert refused.get_json()[0]["code"] == 403
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0
    again = client.post(f"/admin/api-keys/{key.id}/revoke", follow_redirects=True)
    assert "already revoked" in again.get_data(as_text=True)


@pytest.mark.parametrize("who", ["supervisor", "handler", "enterprise_user"])
def test_only_administrators_manage_keys(client, world, login, who):
    login(getattr(world, who))
    assert client.get("/admin/api-keys").status_code == 403
    assert client.post("/admin/api-keys/new", data={"name": "x"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(ApiKey)) == 0


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get("/admin/api-keys")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def _runner(app):
    assert "api-key" in app.cli.commands  # registered by create_app, as `flask --app wsgi api-key`
    return app.test_cli_runner()


def test_the_cli_prints_the_new_key_alone_on_its_last_line(app, client, world):
    result = _runner(app).invoke(args=["api-key", "create", "hotline"])

    assert result.exit_code == 0, result.output
    last_line = result.output.strip().splitlines()[-1]
    assert KEY.fullmatch(last_line)
    key = db.session.scalar(select(ApiKey))
    assert key.name == "hotline" and key.key_hash == hash_secret(last_line)
    assert file_with(client, world, last_line).status_code == 201


def test_the_cli_lists_and_revokes_keys(app, client, world):
    runner = _runner(app)
    secret = runner.invoke(args=["api-key", "create", "hotline"]).output.strip().splitlines()[-1]
    prefix = secret[:8]

    assert prefix in runner.invoke(args=["api-key", "list"]).output
    assert runner.invoke(args=["api-key", "revoke", prefix]).exit_code == 0

    assert "revoked" in runner.invoke(args=["api-key", "list"]).output
    assert file_with(client, world, secret).status_code == 403
