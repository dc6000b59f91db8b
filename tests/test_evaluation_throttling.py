"""The evaluators' links as deployed (limiter on): guessing tokens is throttled per address."""

import pytest

from tests.production import production_like

pytestmark = pytest.mark.committed  # the production-like app has an engine of its own


def test_guessing_evaluator_links_is_throttled_per_address(app, world):
    with production_like(app, EVALUATION_RATE_LIMIT="2 per minute") as site:
        client = site.test_client()
        codes = [client.get(f"/evaluate/guess-{n}").status_code for n in range(3)]
        other = client.get("/evaluate/guess-x", environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code
    assert codes == [404, 404, 429]
    assert other == 404  # another address has its own budget
