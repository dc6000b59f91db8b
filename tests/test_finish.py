"""Finishing touches: the operations page speaks Chinese, and a CSV export names its charset once."""

import pytest

from supervise.jobs import periodic


@pytest.fixture
def chinese_app(app):
    saved = app.config["BABEL_DEFAULT_LOCALE"]
    app.config["BABEL_DEFAULT_LOCALE"] = "zh_CN"
    yield app
    app.config["BABEL_DEFAULT_LOCALE"] = saved


def test_the_operations_page_names_jobs_modes_and_summaries_in_chinese(world, chinese_app, login):
    periodic.relay_outbox()
    periodic.forwards()
    page = login(world.admin).get("/ops/").get_data(as_text=True)
    assert "投递待发消息" in page and "跨域转办" in page
    assert "已移交 0" in page and "已取回更新 0" in page
    assert "handed over" not in page and "updates 0" not in page
    assert ">thread<" not in page and ">eager<" not in page
    # The job's own name stays, small, for operators who read the logs.
    assert '<code class="muted small">relay_outbox</code>' in page


def test_the_csv_export_names_its_charset_once(client):
    response = client.get("/stats/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
