"""Throttling as deployed (limiter on): by the client's real address behind reverse proxies, login
also by account, every limit a setting, and a 429 page that says how long to wait."""

import re

import pytest

from tests.production import config_from_environment, production_like

pytestmark = pytest.mark.committed  # the production-like apps have engines of their own

PROXY = "10.0.0.1"


def _login(client, username="nobody", address=None, forwarded_for=None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    environ = {"REMOTE_ADDR": address or PROXY}
    return client.post(
        "/auth/login", data={"username": username, "password": "wrong"}, headers=headers, environ_base=environ
    )


def test_behind_a_trusted_proxy_each_client_has_its_own_login_budget(app, world):
    with production_like(app, TRUSTED_PROXIES=1, LOGIN_RATE_LIMIT="2 per minute") as site:
        client = site.test_client()
        first = [_login(client, f"user{n}", forwarded_for="203.0.113.7").status_code for n in range(3)]
        other = _login(client, "someone", forwarded_for="198.51.100.9").status_code
    assert first == [200, 200, 429]
    assert other == 200  # another user behind the same proxy is not refused for the first one's attempts


def test_without_trusted_proxies_a_forwarded_address_is_ignored(app, world):
    with production_like(app, LOGIN_RATE_LIMIT="2 per minute") as site:
        client = site.test_client()
        codes = [_login(client, f"user{n}", forwarded_for=f"203.0.113.{n}").status_code for n in range(3)]
    assert codes == [200, 200, 429]  # a client cannot pick a fresh address per attempt


def test_login_attempts_on_one_account_from_many_addresses_are_throttled(app, world):
    with production_like(app, LOGIN_ACCOUNT_RATE_LIMIT="3 per minute") as site:
        client = site.test_client()
        codes = [_login(client, "admin", address=f"192.0.2.{n}").status_code for n in range(4)]
        other_account = _login(client, "supervisor", address="192.0.2.99").status_code
    assert codes == [200, 200, 200, 429]
    assert other_account == 200


def test_the_429_page_states_the_real_wait_in_the_users_language(app, world):
    with production_like(app, LOGIN_RATE_LIMIT="1 per minute", BABEL_DEFAULT_LOCALE="zh_CN") as site:
        client = site.test_client()
        _login(client)
        refused = _login(client)
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    wait = re.search(r"请 (\d+) 秒后再试", page)
    assert wait, page
    assert 1 <= int(wait.group(1)) <= 60
    assert abs(int(refused.headers["Retry-After"]) - int(wait.group(1))) <= 1


def test_an_hourly_limit_states_its_wait_in_minutes(app, world):
    with production_like(app, LOGIN_RATE_LIMIT="1 per hour") as site:
        client = site.test_client()
        _login(client)
        page = _login(client).get_data(as_text=True)
    assert re.search(r"try again in (59|60) minutes", page), page


def test_the_registration_limit_is_the_setting(app, world):
    with production_like(app, REGISTER_RATE_LIMIT="1 per minute") as site:
        client = site.test_client()
        codes = [client.post("/auth/register", data={}).status_code for _ in range(2)]
    assert codes == [200, 429]


@pytest.mark.parametrize(
    "name, value",
    [
        ("LOGIN_RATE_LIMIT", "3 per minute"),
        ("LOGIN_ACCOUNT_RATE_LIMIT", "4 per minute"),
        ("REGISTER_RATE_LIMIT", "5 per hour"),
        ("LOOKUP_RATE_LIMIT", "6 per minute"),
        ("OPEN311_POST_RATE_LIMIT", "7 per minute"),
        ("API_RATE_LIMIT", "8 per minute"),
        ("TRUSTED_PROXIES", "2"),
    ],
)
def test_every_limit_and_the_proxy_count_are_read_from_the_environment(name, value):
    expected = int(value) if value.isdigit() else value
    assert config_from_environment({name: value}, name) == expected
