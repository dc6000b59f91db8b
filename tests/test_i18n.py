"""The interface speaks Chinese by default and English on request."""

import pytest

from supervise import create_app


@pytest.fixture
def chinese_app(app):
    """The production default locale (the test config speaks English to keep assertions readable)."""
    saved = app.config["BABEL_DEFAULT_LOCALE"]
    app.config["BABEL_DEFAULT_LOCALE"] = "zh_CN"
    yield app
    app.config["BABEL_DEFAULT_LOCALE"] = saved


def test_the_default_configuration_is_chinese():
    assert create_app("development", SQLALCHEMY_DATABASE_URI="sqlite://").config["BABEL_DEFAULT_LOCALE"] == "zh_CN"


def test_pages_are_in_chinese_by_default(chinese_app, client):
    page = client.get("/").get_data(as_text=True)
    assert "优化营商环境监督平台" in page and 'lang="zh-CN"' in page
    assert "Business Environment Supervision Platform" not in page
    login = client.get("/auth/login").get_data(as_text=True)
    assert "登录" in login and "Log in" not in login


def test_a_visitor_can_switch_to_english_and_back(chinese_app, client):
    client.get("/language/en")
    assert "Business Environment Supervision Platform" in client.get("/").get_data(as_text=True)
    client.get("/language/zh_CN")
    assert "优化营商环境监督平台" in client.get("/").get_data(as_text=True)


def test_every_message_has_a_chinese_translation():
    from babel.messages.pofile import read_po

    with open("supervise/translations/zh/LC_MESSAGES/messages.po", "rb") as po:
        catalog = read_po(po)
    missing = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    assert missing == []
